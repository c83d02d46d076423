"""SignalRfft (TFLM signal library, custom operator): the real FFT of each frame (the last
dimension, zero-padded to fft_length) as fft_length / 2 + 1 complex bins, (re, im) interleaved in
the last dimension (signal/micro/kernels/rfft.cc). int16: KISS FFT's Q15 fixed point, bit for bit
(core/ops/_kissfft.py). The options are T (the TFLite tensor type) and fft_length: an even
length >= the frame whose half has no prime factor above 5 (TFLM's kissfft cannot run the others).
Only int16 is implemented (TFLM also has float32 and int32 variants)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _kissfft, _signal, _tflite
from tinycc.core.ops import common as c

NAME = "signal_rfft"
INPUTS = ("input",)
ATTRS = {"fft_length": 0}
DTYPES = ("int16",)
SIGNATURES = ("int16 -> int16",)
RAW_INTEGERS = True
TENSOR_TYPE = {"int16": 7, "int32": 2, "float32": 0}          # the T option: TFLite TensorType
MAX_FFT = 1 << 14


def _read(ctx) -> dict:
    missing = [k for k in ("T", "fft_length") if k not in ctx.custom]
    if missing:
        raise ctx.fail(f"the custom options lack {', '.join(missing)}", hint="SignalRfft needs T and fft_length")
    t, x = ctx.custom["T"], ctx.x
    if TENSOR_TYPE.get(x.dtype) != t:
        raise ctx.fail(f"option T {t!r} is not the input's type {x.dtype} ({TENSOR_TYPE.get(x.dtype)})",
                       hint="TF Lite Micro picks the FFT's arithmetic by T")
    return {"fft_length": ctx.custom["fft_length"]}


def _write(ctx, node, inputs):
    return ctx.builtin, {"T": TENSOR_TYPE[ctx.x.dtype], "fft_length": int(node.attrs["fft_length"])}, inputs


TFLITE = _tflite.TFLite("CUSTOM", custom="SignalRfft", read=_read, write=_write)


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, at_least=1)
    n = _signal.int_attr(node, "fft_length", 2, MAX_FFT)
    return [(*x.shape[:-1], n + 2)]


def prepare(node, g):
    x = g.tensors[node.inputs[0]]
    n = _signal.int_attr(node, "fft_length", 2, MAX_FFT)
    if not _kissfft.supported(n):
        raise c.fail(node, f"fft_length {n} is not even with a half of prime factors 2, 3 and 5 only",
                     hint="TF Lite Micro's kissfft cannot run other lengths (powers of two are the usual ones)")
    if x.shape[-1] > n:
        raise c.fail(node, f"frames of {x.shape[-1]} samples do not fit fft_length {n}",
                     hint="TF Lite Micro zero-pads each frame to fft_length")
    half = n // 2
    return {"fft_length": n, "frame": int(x.shape[-1]), "frames": x.size // int(x.shape[-1]),
            "factors": _kissfft.factors(half), "twiddles": _kissfft.twiddles(half),
            "super_twiddles": _kissfft.super_twiddles(half)}


def run(node, g, inputs, p):
    x = inputs[0].reshape(p["frames"], p["frame"])
    out = np.stack([_kissfft.rfft_int16(row, p["fft_length"]) for row in x])
    return [out.reshape(g.tensors[node.outputs[0]].shape)]

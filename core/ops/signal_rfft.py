"""SignalRfft (TFLM signal library, custom operator): the real FFT of each frame (the last
dimension, zero-padded to fft_length) as fft_length / 2 + 1 complex bins, (re, im) interleaved in
the last dimension (signal/micro/kernels/rfft.cc). int16: KISS FFT's Q15 fixed point, bit for bit
(core/ops/_kissfft.py); int32: the same in Q31, bit for bit (core/ops/_kissfft_fixed.py); float32:
the exact DFT in double, within 1e-4 of TFLM's float kissfft. The options are T (the TFLite tensor
type) and fft_length: an even length >= the frame whose half has no prime factor above 5 (TFLM's
kissfft cannot run the others)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _kissfft, _kissfft_fixed, _signal
from tinycc.core.ops import common as c

NAME = "signal_rfft"
INPUTS = ("input",)
ATTRS = {"fft_length": 0}
DTYPES = ("int16", "int32", "float32")
SIGNATURES = ("int16 -> int16", "int32 -> int32", "float32 -> float32")
RAW_INTEGERS = True
MAX_FFT = 1 << 14


TFLITE = _signal.typed_codec("SignalRfft", "fft_length", DTYPES, "FFT's arithmetic")


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
    if x.dtype != g.tensors[node.outputs[0]].dtype:
        raise c.fail(node, "the output's type differs from the input's", hint="TF Lite Micro checks both against T")
    half = n // 2
    p = {"dtype": x.dtype, "fft_length": n, "frame": int(x.shape[-1]), "frames": x.size // int(x.shape[-1])}
    if x.dtype == "int16":
        p |= {"factors": _kissfft.factors(half), "twiddles": _kissfft.twiddles(half),
              "super_twiddles": _kissfft.super_twiddles(half)}
    elif x.dtype == "int32":
        q = _kissfft_fixed.Q31
        p |= {"factors": _kissfft.factors(half), "twiddles": q.twiddles(half, False),
              "super_twiddles": q.super_twiddles(half, False)}
    return p



def scratch_bytes(node, g) -> int:
    """Planned in the arena (core/planner.py): _signal.fft_scratch_bytes."""
    return _signal.fft_scratch_bytes(node, g)

def run(node, g, inputs, p):
    x = inputs[0].reshape(p["frames"], p["frame"])
    shape, n = g.tensors[node.outputs[0]].shape, p["fft_length"]
    if p.get("dtype", "int16") == "float32":
        bins = np.fft.rfft(x.astype(np.float64), n=n, axis=1)
        return [np.stack([bins.real, bins.imag], axis=-1).astype(np.float32).reshape(shape)]
    fft = _kissfft.rfft_int16 if p.get("dtype", "int16") == "int16" else _kissfft_fixed.Q31.rfft
    out = np.stack([fft(row, n) for row in x]) if p["frames"] else np.zeros((0, n + 2))
    return [out.astype(np.dtype(p.get("dtype", "int16"))).reshape(shape)]

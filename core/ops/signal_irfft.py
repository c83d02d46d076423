"""SignalIrfft (TFLM signal library, custom operator): the inverse real FFT of each row of
fft_length / 2 + 1 complex bins ((re, im) interleaved in the last dimension) into fft_length real
samples (signal/micro/kernels/irfft.cc, signal/src/irfft_*.cc). int16: KISS FFT's Q15 kiss_fftri,
bit for bit (core/ops/_kissfft_inverse.py), whose every stage divides by its radix; float32:
kiss_fftri in float divided by fft_length (the exact inverse; tinycc computes it in double, within
1e-4 of TFLM's float arithmetic). The options are T (the TFLite tensor type) and fft_length: an even
length whose half has no prime factor above 5 (TFLM's kissfft cannot run the others). The input's
last dimension must be fft_length + 2 and the output's fft_length (TFLM strides by them but reads and
writes by fft_length). int32: the same as int16 in Q31, bit for bit (core/ops/_kissfft_fixed.py)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _kissfft, _kissfft_fixed, _kissfft_inverse, _signal
from tinycc.core.ops import common as c

NAME = "signal_irfft"
INPUTS = ("input",)
ATTRS = {"fft_length": 0}
DTYPES = ("int16", "int32", "float32")
SIGNATURES = ("int16 -> int16", "int32 -> int32", "float32 -> float32")
RAW_INTEGERS = True
MAX_FFT = 1 << 14


TFLITE = _signal.typed_codec("SignalIrfft", "fft_length", DTYPES, "FFT's arithmetic")


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, at_least=1)
    n = _signal.int_attr(node, "fft_length", 2, MAX_FFT)
    return [(*x.shape[:-1], n)]


def prepare(node, g):
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    _signal.rank(node, x, at_least=1)
    n = _signal.int_attr(node, "fft_length", 2, MAX_FFT)
    if not _kissfft.supported(n):
        raise c.fail(node, f"fft_length {n} is not even with a half of prime factors 2, 3 and 5 only",
                     hint="TF Lite Micro's kissfft cannot run other lengths (powers of two are the usual ones)")
    if int(x.shape[-1]) != n + 2:
        raise c.fail(node, f"rows of {x.shape[-1]} values are not fft_length / 2 + 1 = {n // 2 + 1} complex bins",
                     hint="TF Lite Micro reads fft_length / 2 + 1 (re, im) pairs per row")
    if tuple(y.shape) != (*x.shape[:-1], n) or x.dtype != y.dtype:
        raise c.fail(node, f"the output {y.shape} {y.dtype} is not {(*x.shape[:-1], n)} {x.dtype}",
                     hint="TF Lite Micro writes fft_length samples of the input's type per row")
    half = n // 2
    p = {"dtype": x.dtype, "fft_length": n, "frames": x.size // (n + 2)}
    if x.dtype == "int16":
        p |= {"factors": _kissfft.factors(half), "twiddles": _kissfft_inverse.twiddles(half),
              "super_twiddles": _kissfft_inverse.super_twiddles(half)}
    elif x.dtype == "int32":
        q = _kissfft_fixed.Q31
        p |= {"factors": _kissfft.factors(half), "twiddles": q.twiddles(half, True),
              "super_twiddles": q.super_twiddles(half, True)}
    return p



def scratch_bytes(node, g) -> int:
    """Planned in the arena (core/planner.py): _signal.fft_scratch_bytes."""
    return _signal.fft_scratch_bytes(node, g)

def run(node, g, inputs, p):
    n = p["fft_length"]
    x = inputs[0].reshape(p["frames"], n + 2)
    if p["dtype"] == "int16":
        out = np.stack([_kissfft_inverse.irfft_int16(row, n) for row in x]) if p["frames"] else np.zeros((0, n))
        return [out.astype(np.int16).reshape(g.tensors[node.outputs[0]].shape)]
    if p["dtype"] == "int32":
        out = np.stack([_kissfft_fixed.Q31.irfft(row, n) for row in x]) if p["frames"] else np.zeros((0, n))
        return [out.astype(np.int32).reshape(g.tensors[node.outputs[0]].shape)]
    bins = x[:, 0::2].astype(np.float64) + 1j * x[:, 1::2].astype(np.float64)
    bins[:, 0] = bins[:, 0].real                    # kiss_fftri reads the real parts of DC and Nyquist only
    bins[:, -1] = bins[:, -1].real
    out = np.fft.irfft(bins, n=n, axis=1)
    return [out.astype(np.float32).reshape(g.tensors[node.outputs[0]].shape)]

"""SignalFftAutoScale (TFLM signal library, custom operator): scales a 1-D int16 signal up by the
largest power of two its peak allows before an FFT, and outputs that shift too (int32 scalar) so
SignalFilterBankSquareRoot can undo it (signal/src/fft_auto_scale.cc).

As TFLM: the peak is MaxAbs16 with int16 arithmetic (-32768 negated wraps to -32768, which the
following elements may then beat), shift = 15 - MostSignificantBit32(peak as uint32) (its GCC
build: MSB(0) = 32), at least 0; each output is input * 2^shift truncated to int16."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal

NAME = "signal_fft_auto_scale"
INPUTS = ("input",)
ATTRS: dict = {}
DTYPES = ("int16",)
SIGNATURES = ("int16 -> int16, int32",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalFftAutoScale", ())


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, want=1)
    return [x.shape, ()]


def prepare(node, g):
    return {}


def peak(x: np.ndarray) -> int:
    """TFLM's MaxAbs16, int16 wrap-around included."""
    m = 0
    for v in x.tolist():
        if v > m:
            m = v
        elif -v > m:
            m = ((-v + 32768) & 0xFFFF) - 32768
    return m


def run(node, g, inputs, p):
    x = inputs[0]
    m = peak(x)
    shift = max(16 - _signal.msb32(m & 0xFFFFFFFF) - 1, 0)
    y = ((x.astype(np.int64) << shift) & 0xFFFF).astype(np.uint16).view(np.int16)
    return [y, np.int32(shift)]

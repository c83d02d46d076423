"""SignalFilterBankSquareRoot (TFLM signal library, custom operator): the integer square root of
each uint64 filter-bank channel, shifted right by the runtime int32 scale_bits (SignalFftAutoScale's
shift): y = Sqrt64(x) >> scale_bits (signal/src/square_root_64.cc, TFLM's rounding included).
A scale_bits outside [0, 31] is undefined in TFLM's C; tinycc uses its low five bits (what the
x86 build of TFLM does)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal

NAME = "signal_filter_bank_square_root"
INPUTS = ("input", "scale_bits")
ATTRS: dict = {}
DTYPES = ("uint64",)
SIGNATURES = ("uint64, int32 -> uint32",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalFilterBankSquareRoot", ())


def infer(node, g):
    x, s = (g.tensors[n] for n in node.inputs)
    _signal.rank(node, x, want=1)
    _signal.rank(node, s, want=0)
    return [x.shape]


def prepare(node, g):
    return {}


def run(node, g, inputs, p):
    x, s = inputs
    shift = int(np.asarray(s).reshape(-1)[0]) & 31
    return [np.array([_signal.sqrt64(int(v)) >> shift for v in x.tolist()], dtype=np.uint32)]

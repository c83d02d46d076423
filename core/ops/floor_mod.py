"""FLOOR_MOD: a - floor(a / b) * b with broadcasting (at most 4 dimensions when broadcasting),
float32 as TFLM's floor_mod.cc: r = fmod(a, b), plus b when r is non-zero and its sign differs
from b's."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _compare, _tflite

NAME = "floor_mod"
INPUTS = _compare.INPUTS
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32, float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("FLOOR_MOD")
infer = _compare.infer_up_to(4)
prepare = _compare.prepare_same_dtype(DTYPES)


def run(node, g, inputs, p):
    a, b = (v.astype(np.float32) for v in _compare.broadcast_pair(*inputs))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.fmod(a, b).astype(np.float32)
        return [np.where((r != 0) & ((b < 0) != (r < 0)), r + b, r).astype(np.float32)]

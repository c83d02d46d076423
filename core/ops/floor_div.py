"""FLOOR_DIV: floor(a / b) with broadcasting (at most 4 dimensions when broadcasting), float32 only
as TFLM's floor_div.cc. TFLM refuses a zero divisor at Invoke; tinycc's kernels give IEEE's
floor(a / 0) (an infinity or NaN) instead of stopping."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _compare, _tflite

NAME = "floor_div"
INPUTS = _compare.INPUTS
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32, float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("FLOOR_DIV")
infer = _compare.infer_up_to(4)
prepare = _compare.prepare_same_dtype(DTYPES)


def run(node, g, inputs, p):
    a, b = _compare.broadcast_pair(*inputs)
    with np.errstate(divide="ignore", invalid="ignore"):
        return [np.floor(a.astype(np.float32) / b.astype(np.float32)).astype(np.float32)]

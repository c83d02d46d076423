"""ZEROS_LIKE: a tensor of the input's shape and dtype filled with 0 (raw zeros: an int8 output's
quantisation is ignored, as in TFLM's zeros_like.cc). int8, int32, int64, float32."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "zeros_like"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32", "int8", "int32", "int64")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("ZEROS_LIKE")


def prepare(node, g):
    return {"dtype": _map.check_types(node, g, DTYPES)}


def run(node, g, inputs, p):
    return [np.zeros_like(inputs[0])]

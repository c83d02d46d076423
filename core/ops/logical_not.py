"""LOGICAL_NOT: !x, bool only (TFLM elementwise.cc)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "logical_not"
ONNX_OP = "Not"                   # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("bool",)
SIGNATURES = ("bool -> bool",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("LOGICAL_NOT")


def prepare(node, g):
    return {"dtype": _map.check_types(node, g, DTYPES)}


def run(node, g, inputs, p):
    return [np.logical_not(inputs[0])]

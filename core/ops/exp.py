"""EXP: std::exp per element, float32 only (TFLM exp.cc)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "exp"
ONNX_OP = "Exp"                   # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("EXP")
prepare = _map.float_prepare
run = _map.float32(np.exp)

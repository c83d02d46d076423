"""SQRT: std::sqrt per element, float32 only (TFLM elementwise.cc); NaN below 0."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "sqrt"
ONNX_OP = "Sqrt"                  # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("SQRT")
prepare = _map.float_prepare
run = _map.float32(np.sqrt)

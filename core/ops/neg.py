"""NEG: -x, float32 only (TFLM's neg.cc refuses every other type)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "neg"
ONNX_OP = "Neg"                   # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("NEG")
prepare = _map.float_prepare
run = _map.float32(np.negative)

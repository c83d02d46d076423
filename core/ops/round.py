"""ROUND: to the nearest integer, halves to even (TFLM's RoundToNearest), float32 only."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "round"
ONNX_OP = "Round"                 # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("ROUND")
prepare = _map.float_prepare
run = _map.float32(np.rint)

"""SQUARE: x * x in float32, float32 only (TFLM elementwise.cc)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "square"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("SQUARE")
prepare = _map.float_prepare
run = _map.float32(np.square)

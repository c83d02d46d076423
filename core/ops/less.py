"""LESS: a less b, elementwise with broadcasting, to bool (core/ops/_comparison.py)."""
from __future__ import annotations

from tinycc.core.ops import _compare, _comparison, _tflite

NAME = "less"
ONNX_OP = "Less"                  # one node of this ONNX operator is one of this op
INPUTS, ATTRS = _comparison.INPUTS, _comparison.ATTRS
DTYPES = ("int8", "int32", "int64", "float32")
SIGNATURES = tuple(f"{d}, {d} -> bool" for d in DTYPES)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("LESS")
infer = _compare.infer_up_to(4)          # Broadcast4DSlow... when the shapes differ
run = _comparison.run
prepare = _comparison.prepare_with(DTYPES)

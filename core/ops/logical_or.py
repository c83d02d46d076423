"""LOGICAL_OR with broadcasting (TFLM's logical.cc: BinaryFunction, or BroadcastBinaryFunction4DSlow
when the shapes differ, so at most 4 dimensions then): bool, bool -> bool."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _compare, _tflite

NAME = "logical_or"
ONNX_OP = "Or"                    # one node of this ONNX operator is one of this op
INPUTS = _compare.INPUTS
ATTRS: dict = {}
DTYPES = ("bool",)
SIGNATURES = ("bool, bool -> bool",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("LOGICAL_OR")
infer = _compare.infer_up_to(4)
prepare = _compare.prepare_same_dtype(DTYPES)
run = _compare.broadcast_run(np.logical_or)

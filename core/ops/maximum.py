"""MAXIMUM with broadcasting, as TFLM's MaximumMinimumBroadcastSlow: `a > b ? a : b` on the stored
values. TFLM does not rescale: quantised inputs and output are meant to share one quantisation
(COMMON_QUANT) and the kernel compares raw integers, so tinycc does too."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _compare, _tflite

NAME = "maximum"
INPUTS = _compare.INPUTS
ATTRS: dict = {}
DTYPES = ("int8", "int16", "int32", "int64", "float32")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)
ELEMENTWISE, COMMON_QUANT, IN_PLACE = True, True, "elementwise"
TFLITE = _tflite.TFLite("MAXIMUM")
infer = _compare.infer_up_to(5, always=True)      # MaximumMinimumBroadcastSlow<N = 5>, also for equal shapes
prepare = _compare.prepare_same_dtype(DTYPES)
run = _compare.broadcast_run(lambda a, b: np.where(a > b, a, b))

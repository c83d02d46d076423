"""REDUCE_MAX over the given axes, as TFLM's reduce kernels (EvalMaxHelper -> ReduceGeneric).

Each output starts at the dtype's lowest value (float32: -FLT_MAX, not -inf) and takes an element
only when it is greater (so NaN is never taken, and all -inf gives -FLT_MAX). The integers are
compared raw: int8 input and output must share scale and zero point (TFLM's Eval refuses others).
Refused: no axes, out-of-range axes, dtype changes, more than 6 dimensions.
"""
from __future__ import annotations

from tinycc.core.ops import _reduce, _reduce_extreme, _tflite

NAME = "reduce_max"
INPUTS, ATTRS, AXIS_ATTRS, infer = _reduce.INPUTS, _reduce.ATTRS, _reduce.AXIS_ATTRS, _reduce.infer
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True

prepare, run = _reduce_extreme.declare(DTYPES, largest=True)

TFLITE = _tflite.TFLite("REDUCE_MAX", "ReducerOptions", operands=1, read=_reduce.read, write=_reduce.write)

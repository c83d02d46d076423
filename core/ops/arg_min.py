"""ARG_MIN: the int32 index of the first smallest element along `axis` (core/ops/_arg_min_max.py
states TFLM's rules: ties and NaN, int8 and float32 inputs, int32 output only)."""
from __future__ import annotations

from tinycc.core.ops import _arg_min_max as _a
from tinycc.core.ops import _tflite

NAME = "arg_min"
INPUTS, ATTRS, AXIS_ATTRS, DTYPES, SIGNATURES = _a.INPUTS, _a.ATTRS, _a.AXIS_ATTRS, _a.DTYPES, _a.SIGNATURES
infer, prepare = _a.infer, _a.prepare
run = _a.runner(largest=False)

TFLITE = _tflite.TFLite("ARG_MIN", "ArgMinOptions", operands=1, read=_a.read, write=_a.write)

"""SHAPE cases: random single-op models (int32 output: the input's dimensions)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    x = act("x", random_shape(rng, 5), dtype, shared_quant(rng, dtype))
    return single_op("shape", [x], act("y", (), "int32"))

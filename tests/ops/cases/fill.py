"""FILL cases: random single-op models (constant dims, the scalar value a model input)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int32", "float32")


def build(rng, dtype):
    quant = shared_quant(rng, dtype)
    return single_op("fill", [act("value", (), dtype, quant)], act("y", (), dtype, quant),
                     {"shape": random_shape(rng, 5)})

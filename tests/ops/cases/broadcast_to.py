"""BROADCAST_TO cases: random single-op models (constant target shapes of up to 5 dimensions)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "int32", "int64", "float32")


def build(rng, dtype):
    shape = random_shape(rng, 5)
    drop = int(rng.integers(0, len(shape)))
    x_shape = tuple(1 if rng.random() < 0.5 else d for d in shape[drop:])
    quant = shared_quant(rng, dtype)
    return single_op("broadcast_to", [act("x", x_shape, dtype, quant)], act("y", (), dtype, quant),
                     {"shape": shape})

"""REVERSE_V2 cases: random single-op models (a random run of contiguous axes, some negative)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "uint8", "int16", "int32", "int64", "float32")


def build(rng, dtype):
    shape = random_shape(rng, 5)
    first = int(rng.integers(0, len(shape)))
    count = int(rng.integers(1, len(shape) - first + 1))
    axes = [a - len(shape) if rng.random() < 0.3 else a for a in range(first, first + count)]
    rng.shuffle(axes)
    quant = shared_quant(rng, dtype)
    return single_op("reverse_v2", [act("x", shape, dtype, quant)], act("y", (), dtype, quant),
                     {"axes": tuple(int(a) for a in axes)})

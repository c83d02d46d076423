"""PACK cases: random single-op models (1 to 4 inputs sharing one quantisation)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "int32", "int64", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    quant = shared_quant(rng, dtype)
    xs = [act(f"x{k}", shape, dtype, quant) for k in range(int(rng.integers(1, 5)))]
    axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
    return single_op("pack", xs, act("y", (), dtype, quant), {"axis": axis})

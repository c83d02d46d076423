"""SPACE_TO_DEPTH cases: random single-op models (block sizes 1-3 dividing height and width)."""
from __future__ import annotations

from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    b = int(rng.integers(1, 4))
    shape = (int(rng.integers(1, 3)), b * int(rng.integers(1, 4)), b * int(rng.integers(1, 4)), int(rng.integers(1, 5)))
    quant = shared_quant(rng, dtype)
    return single_op("space_to_depth", [act("x", shape, dtype, quant)], act("y", (), dtype, quant), {"block_size": b})

"""DEPTH_TO_SPACE cases: random single-op models (block sizes 1-3, channels a multiple of its square)."""
from __future__ import annotations

from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    b = int(rng.integers(1, 4))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 4)), b * b * int(rng.integers(1, 4)))
    quant = shared_quant(rng, dtype)
    return single_op("depth_to_space", [act("x", shape, dtype, quant)], act("y", (), dtype, quant), {"block_size": b})

"""BATCH_TO_SPACE_ND cases: 3-D and 4-D inputs, random blocks and crops, and what prepare refuses."""
from __future__ import annotations

from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    spatial = int(rng.integers(1, 3))
    block = [int(b) for b in rng.integers(1, 4, size=spatial)]
    sizes = [int(s) for s in rng.integers(1, 4, size=spatial)]
    crops = []
    for b, s in zip(block, sizes):
        full = b * s
        before = int(rng.integers(0, full))
        crops.append((before, int(rng.integers(0, full - before))))
    n = int(rng.integers(1, 3))
    blocks = 1
    for b in block:
        blocks *= b
    quant = shared_quant(rng, dtype)
    x = act("x", (n * blocks, *sizes, int(rng.integers(1, 4))), dtype, quant)
    return single_op("batch_to_space_nd", [x], act("y", (), dtype, quant),
                     {"block_shape": tuple(block), "crops": tuple(crops)})


def _crop_everything():
    x = act("x", (4, 2, 2, 1), "int8", q(0.1, 0))
    return multi_op("batch_to_space_nd", [x], [act("y", (1, 1, 1, 1), "int8", q(0.1, 0))],
                    {"block_shape": (2, 2), "crops": ((2, 2), (0, 0))}, validated=False)


HOSTILE_INVALID = {"batch_to_space_nd_crop_everything": (_crop_everything, ["crops", "leave nothing"])}

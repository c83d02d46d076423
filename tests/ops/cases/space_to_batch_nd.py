"""SPACE_TO_BATCH_ND cases: 3-D and 4-D inputs, random blocks. TFLM leaves its pad value unset (its
padded elements are whatever its arena held), so the cases TFLM judges have no padding;
tests/ops/test_space_to_batch_padding.py checks padded ones against TFLite with `padded(rng, dtype)`."""
from __future__ import annotations

from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "float32")


def padded(rng, dtype, pad: bool = True):
    spatial = int(rng.integers(1, 3))
    block = [int(b) for b in rng.integers(1, 4, size=spatial)]
    quant = shared_quant(rng, dtype)
    pads, sizes = [], []
    for b in block:
        total = b * int(rng.integers(1, 4))
        before = int(rng.integers(0, min(2, total - 1) + 1)) if pad else 0
        size = int(rng.integers(1, total - before + 1)) if pad else total
        pads.append((before, total - before - size))
        sizes.append(size)
    shape = (int(rng.integers(1, 3)), *sizes, int(rng.integers(1, 4)))
    x = act("x", shape, dtype, quant)
    return single_op("space_to_batch_nd", [x], act("y", (), dtype, quant),
                     {"block_shape": tuple(block), "paddings": tuple(pads)})


def build(rng, dtype):
    return padded(rng, dtype, pad=False)


def _bad_block():
    x = act("x", (1, 4, 4, 1), "float32")
    return multi_op("space_to_batch_nd", [x], [act("y", (4, 2, 2, 1), "float32")],
                    {"block_shape": (0, 2), "paddings": ((0, 0), (0, 0))}, validated=False)


HOSTILE_INVALID = {"space_to_batch_nd_block_0": (_bad_block, ["block_shape (0, 2)", ">= 1"])}

"""DYNAMIC_UPDATE_SLICE cases: random operand and smaller update shapes, constant int32 / int64 start
indices (some negative or past the end: TFLM clamps them), sometimes an update as large as the
operand; and run-time start indices (random over the whole integer range, clamped)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import shared_quant
from tests.tflite_builder import act, const, q, single_op

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    shape = random_shape(rng, max_rank=5)
    if rng.random() < 0.15:
        ushape = shape
    else:
        ushape = tuple(int(rng.integers(1, d + 1)) for d in shape)
    quant = shared_quant(rng, dtype)
    idx_dtype = np.int64 if rng.random() < 0.4 else np.int32
    if rng.random() < 0.2:
        idx = act("start", (len(shape),), np.dtype(idx_dtype).name)
    else:
        idx = const("start", rng.integers(-2, np.array(shape) + 2).astype(idx_dtype))
    return single_op("dynamic_update_slice", [act("x", shape, dtype, quant), act("u", ushape, dtype, quant), idx],
                     act("y", (), dtype, quant))


def _runtime_indices(idx_dtype):
    def make():
        qq = q(0.5, -3)
        return single_op("dynamic_update_slice", [act("x", (4, 5, 3), "int8", qq), act("u", (2, 3, 1), "int8", qq),
                                                  act("start", (3,), idx_dtype)], act("y", (), "int8", qq))
    return make


HOSTILE_VALID = {       # start indices anywhere in the int32 / int64 range: clamped, never outside the operand
    "dynamic_update_slice_runtime_int32_indices": _runtime_indices("int32"),
    "dynamic_update_slice_runtime_int64_indices": _runtime_indices("int64"),
}

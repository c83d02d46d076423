"""GATHER_ND cases: random single-op models (constant int32 index rows of 1 to rank entries),
and the indices prepare refuses."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, const, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    nd = int(rng.integers(1, len(shape) + 1))
    lead = tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(0, 3))))
    idx = np.stack([rng.integers(0, d, size=lead) for d in shape[:nd]], axis=-1).astype(np.int32)
    quant = shared_quant(rng, dtype)
    return single_op("gather_nd", [act("x", shape, dtype, quant), const("indices", idx)],
                     act("y", (), dtype, quant))


def _index_out_of_range():
    x = act("x", (3, 4), "float32")
    idx = const("indices", np.array([[0, 1], [3, 0]], np.int32))
    return multi_op("gather_nd", [x, idx], [act("y", (2,), "float32")], validated=False)


HOSTILE_INVALID = {
    "gather_nd_index_out_of_range": (_index_out_of_range, ["index 3 (row 1", "outside [0, 3)", "'indices'"]),
}

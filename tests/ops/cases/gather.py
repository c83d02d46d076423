"""GATHER cases: random single-op models (constant int32 positions, random axis and batch_dims),
and the positions prepare refuses."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, const, q, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    axis = int(rng.integers(0, len(shape)))
    bd = int(rng.integers(0, axis + 1)) if rng.random() < 0.4 else 0
    pos_shape = (*shape[:bd], *(int(d) for d in rng.integers(1, 4, size=int(rng.integers(0, 3)))))
    positions = rng.integers(0, shape[axis], size=pos_shape).astype(np.int32)
    quant = shared_quant(rng, dtype)
    x = act("x", shape, dtype, quant)
    attrs = {"axis": axis - len(shape) if rng.random() < 0.3 else axis,
             "batch_dims": bd - len(pos_shape) if bd and rng.random() < 0.3 else bd}
    return single_op("gather", [x, const("positions", positions)], act("y", (), dtype, quant), attrs)


def _position_out_of_range():
    x = act("x", (3, 4), "int8", q(0.1, 0))
    pos = const("positions", np.array([0, 4], np.int32))
    return multi_op("gather", [x, pos], [act("y", (3, 2), "int8", q(0.1, 0))], {"axis": 1, "batch_dims": 0},
                    validated=False)


HOSTILE_INVALID = {
    "gather_position_out_of_range": (_position_out_of_range, ["position 4", "outside [0, 4)", "'positions'"]),
}

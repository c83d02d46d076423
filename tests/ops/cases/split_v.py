"""SPLIT_V cases: random single-op models (parts of random sizes, one maybe -1), and the sizes
prepare refuses."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, q

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    shape = list(random_shape(rng))
    axis = int(rng.integers(-len(shape), len(shape)))
    parts = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(1, 4)))]
    shape[axis] = sum(parts)
    if rng.random() < 0.4:
        parts[int(rng.integers(0, len(parts)))] = -1
    quant = shared_quant(rng, dtype)
    x = act("x", shape, dtype, quant)
    outs = [act(f"y{k}", (), dtype, quant) for k in range(len(parts))]
    return multi_op("split_v", [x], outs, {"axis": axis, "size_splits": tuple(parts)})


def _bad_sizes():
    x = act("x", (2, 5), "int8", q(0.1, 0))
    outs = [act("y0", (2, 2), "int8", q(0.1, 0)), act("y1", (2, 2), "int8", q(0.1, 0))]
    return multi_op("split_v", [x], outs, {"axis": 1, "size_splits": (2, 2)}, validated=False)


HOSTILE_INVALID = {
    "split_v_sizes_do_not_add_up": (_bad_sizes, ["size_splits (2, 2)", "do not add up", "(2, 5)"]),
}

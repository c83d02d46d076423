"""SLICE cases: random single-op models (constant begin / size, size -1 meaning "to the end"),
and the boxes prepare refuses as TFLM's Eval does."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    shape = random_shape(rng, 5)
    begin = [int(rng.integers(0, d)) for d in shape]
    size = [-1 if rng.random() < 0.25 else int(rng.integers(1, d - b + 1)) for b, d in zip(begin, shape)]
    quant = shared_quant(rng, dtype)
    x = act("x", shape, dtype, quant)
    return single_op("slice", [x], act("y", (), dtype, quant), {"begin": tuple(begin), "size": tuple(size)})


def _past_the_end():
    x = act("x", (3, 4), "float32")
    return multi_op("slice", [x], [act("y", (2, 2), "float32")], {"begin": (2, 0), "size": (2, 2)},
                    validated=False)


def _negative_begin():
    x = act("x", (3, 4), "int8", q(0.1, 0))
    return multi_op("slice", [x], [act("y", (1, 2), "int8", q(0.1, 0))], {"begin": (-1, 0), "size": (1, 2)},
                    validated=False)


HOSTILE_INVALID = {
    "slice_size_past_the_end": (_past_the_end, ["size 2 on axis 0", "[-1, 1]"]),
    "slice_negative_begin": (_negative_begin, ["begin -1 on axis 0", "outside [0, 3]"]),
}

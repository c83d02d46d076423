"""REDUCE_ALL cases: random bool tensors over random axes (small boxes: all-true ones occur)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases.sum import random_axes
from tests.tflite_builder import act, single_op

DTYPES = ("bool",)


def build(rng, dtype):
    shape = random_shape(rng)
    return single_op("reduce_all", [act("x", shape, "bool")], act("y", (), "bool"),
                     {"axes": random_axes(rng, shape), "keep_dims": bool(rng.random() < 0.5)})

"""LOGICAL_NOT cases: random bool single-op models."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("bool",)


def build(rng, dtype):
    return single_op("logical_not", [act("x", random_shape(rng), dtype)], act("y", (), dtype))

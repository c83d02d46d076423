"""LOGISTIC cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    x = io_tensor(rng, dtype, random_shape(rng))
    out = act("y", (), dtype) if dtype == "float32" else act("y", (), "int8", q(1 / 256, -128))
    return single_op("logistic", [x], out)

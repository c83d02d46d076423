"""EXP cases: random float32 single-op models (inputs uniform in [-4, 4))."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("float32",)


def build(rng, dtype):
    return single_op("exp", [io_tensor(rng, dtype, random_shape(rng))], act("y", (), dtype))

"""RELU6 cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    x = io_tensor(rng, dtype, random_shape(rng))
    return single_op("relu6", [x], act("y", (), dtype, x.quant))

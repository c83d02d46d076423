"""RESHAPE cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    x = io_tensor(rng, dtype, shape)
    target = tuple(rng.permutation(list(shape)).tolist()) + (1,)
    return single_op("reshape", [x], act("y", (), dtype, x.quant), {"shape": target})

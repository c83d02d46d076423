"""ZEROS_LIKE cases: random single-op models (int8: raw zeros, whatever the quantisation)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("float32", "int8", "int32", "int64")


def build(rng, dtype):
    shape = random_shape(rng)
    x = io_tensor(rng, dtype, shape) if dtype == "int8" else act("x", shape, dtype)
    return single_op("zeros_like", [x], act("y", (), dtype, x.quant))

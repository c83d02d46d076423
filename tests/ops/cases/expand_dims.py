"""EXPAND_DIMS cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    x = io_tensor(rng, dtype, shape)
    axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
    return single_op("expand_dims", [x], act("y", (), dtype, x.quant), {"axis": axis})

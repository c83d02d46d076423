"""LEAKY_RELU cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape
from tests.tflite_builder import single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    x = io_tensor(rng, dtype, random_shape(rng))
    scale = None if dtype == "float32" else x.quant.s * rng.uniform(0.3, 2)
    return single_op("leaky_relu", [x], out_tensor(rng, dtype, scale), {"alpha": float(rng.uniform(0.01, 0.9))})

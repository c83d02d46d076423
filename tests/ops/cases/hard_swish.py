"""HARD_SWISH cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape
from tests.tflite_builder import single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    x = io_tensor(rng, dtype, random_shape(rng))
    if dtype == "float32":
        return single_op("hard_swish", [x], out_tensor(rng, dtype))
    # outputs span about [-0.375, max(x)]: an output scale around the input's, above input scale / 128
    return single_op("hard_swish", [x], out_tensor(rng, dtype, x.quant.s * rng.uniform(0.1, 2)))

"""QUANTIZE cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape
from tests.tflite_builder import single_op

DTYPES = ("int8", "int16")


def build(rng, dtype):
    """dtype is the output's; the input is float32, or an integer tensor to requantise."""
    shape = random_shape(rng)
    source = str(rng.choice(["float32", "int8", "int16"]))
    x = io_tensor(rng, source, shape)
    return single_op("quantize", [x], out_tensor(rng, dtype))

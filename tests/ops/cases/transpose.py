"""TRANSPOSE cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = random_shape(rng, 5)
    x = io_tensor(rng, dtype, shape)
    return single_op("transpose", [x], act("y", (), dtype, x.quant),
                     {"perm": tuple(rng.permutation(len(shape)).tolist())})

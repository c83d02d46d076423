"""CONCATENATION cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.tflite_builder import act, q, random_scale, random_zp, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    axis = int(rng.integers(-len(shape), len(shape)))
    quant = None if dtype == "float32" else q(random_scale(rng), random_zp(rng, dtype))
    xs = []
    for k in range(int(rng.integers(1, 4))):
        s = list(shape)
        s[axis] = int(rng.integers(1, 5))
        xs.append(act(f"x{k}", tuple(s), dtype, quant))
    return single_op("concatenation", xs, act("y", (), dtype, quant), {"axis": axis})

"""CAST cases: random single-op models from `dtype` to a random one of TFLM's types (int8/int16
tensors carry a random quantisation, which CAST ignores: it converts raw values). Integers cover their whole range (wrap
on narrowing), floats [-4, 4) (truncation toward zero); tests/ops/test_map_ops.py has the edges."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.tflite_builder import act, q, random_scale, random_zp, single_op

DTYPES = ("float32", "int8", "int16", "int32", "uint32", "bool")


def tensor(rng, name, shape, dtype):
    quant = q(random_scale(rng), random_zp(rng, dtype)) if dtype in ("int8", "int16") else None
    return act(name, shape, dtype, quant)


def build(rng, dtype):
    out = tensor(rng, "y", (), str(rng.choice(DTYPES)))
    return single_op("cast", [tensor(rng, "x", random_shape(rng), dtype)], out)

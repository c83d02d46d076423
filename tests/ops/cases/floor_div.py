"""FLOOR_DIV cases: float32 operands in [-4, 4) broadcast (never exactly zero)."""
from __future__ import annotations

from tests.ops.cases._binary_fn import shapes, tensor
from tests.tflite_builder import single_op

DTYPES = ("float32",)


def build(rng, dtype):
    sa, sb = shapes(rng)
    a, b = tensor(rng, "a", sa, dtype), tensor(rng, "b", sb, dtype)
    return single_op("floor_div", [a, b], tensor(rng, "y", (), dtype))

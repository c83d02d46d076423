"""DIV cases: float32 (random divisors, never exactly zero) and int32 (full-range operands) with a
random fused activation."""
from __future__ import annotations

from tests.ops.cases._binary_fn import shapes, tensor
from tests.ops.cases._common import ACTS
from tests.tflite_builder import single_op

DTYPES = ("int32", "float32")


def build(rng, dtype):
    sa, sb = shapes(rng)
    a, b = tensor(rng, "a", sa, dtype), tensor(rng, "b", sb, dtype)
    return single_op("div", [a, b], tensor(rng, "y", (), dtype), {"activation": str(rng.choice(ACTS))})

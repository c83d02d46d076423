"""ADD_N cases: 2 to 5 same-shape operands (sometimes a constant among them), float32."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._binary_fn import tensor
from tests.tflite_builder import const, single_op

DTYPES = ("float32",)


def build(rng, dtype):
    shape = tuple(rng.integers(1, 6, int(rng.integers(1, 5))).tolist())
    count = int(rng.integers(2, 6))
    inputs = [tensor(rng, f"x{k}", shape, dtype) for k in range(count)]
    if rng.random() < 0.3:
        inputs[-1] = const(f"x{count - 1}", rng.uniform(-4, 4, shape).astype(np.float32))
    return single_op("add_n", inputs, tensor(rng, "y", (), dtype))

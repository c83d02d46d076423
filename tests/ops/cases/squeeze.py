"""SQUEEZE cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = list(random_shape(rng, 5))
    for _ in range(int(rng.integers(1, 3))):                 # one or two size-1 dims to squeeze
        shape.insert(int(rng.integers(0, len(shape) + 1)), 1)
    ones = [k for k, d in enumerate(shape) if d == 1]
    if rng.random() < 0.3:
        axes = ()                                            # every size-1 dim (TFLite's default)
    else:
        picked = rng.choice(ones, size=int(rng.integers(1, len(ones) + 1)), replace=False)
        axes = tuple(int(a) - len(shape) if rng.random() < 0.5 else int(a) for a in picked)
    x = io_tensor(rng, dtype, tuple(shape))
    return single_op("squeeze", [x], act("y", (), dtype, x.quant), {"axes": axes})

"""MEAN cases: random single-op models."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, q, random_zp, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    if rng.random() < 0.4:                      # the global-average-pool case
        shape = (1, int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(1, 6)))
        axes = (1, 2) if rng.random() < 0.5 else (2, -3)
    else:
        axes = tuple(int(a) for a in rng.choice(np.arange(-len(shape), len(shape)),
                                                size=int(rng.integers(1, len(shape) + 1)), replace=False))
    x = io_tensor(rng, dtype, shape)
    out = act("y", (), dtype, x.quant if dtype == "float32" or rng.random() < 0.4 else
              q(x.quant.s * rng.uniform(0.5, 2), random_zp(rng, dtype)))
    return single_op("mean", [x], out, {"axes": axes, "keep_dims": bool(rng.random() < 0.5)})

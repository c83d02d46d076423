"""FULLY_CONNECTED cases: random single-op models."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import ACTS, conv_out_scale, io_tensor, out_tensor, weights
from tests.tflite_builder import const, q, random_scale, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    rows, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 20))
    x = io_tensor(rng, dtype, (rows, depth))
    if dtype == "float32":
        wt, b, _ = weights(rng, (units, depth), dtype, 0, 1.0)
        return single_op("fully_connected", [x, wt, b], out_tensor(rng, dtype), {"activation": str(rng.choice(ACTS))})
    w_scale = random_scale(rng, 1e-3, 0.05)
    wt = const("w", rng.integers(-127, 128, (units, depth)).astype(np.int8), q(w_scale, 0))
    bias_dtype = np.int64 if dtype == "int16" else np.int32
    b = const("b", rng.integers(-5000, 5000, units).astype(bias_dtype),
              q(np.float32(x.quant.s) * np.float32(w_scale), 0))
    scale = conv_out_scale(rng, x, w_scale, depth)
    y = out_tensor(rng, dtype, scale)
    return single_op("fully_connected", [x, wt, b], y, {"activation": str(rng.choice(ACTS))})

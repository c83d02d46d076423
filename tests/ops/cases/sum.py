"""SUM cases: random single-op models (output scales that keep the sums in range, and some that clamp)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import io_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, random_zp, single_op

DTYPES = ("int8", "int16", "float32")


def random_axes(rng, shape):
    return tuple(int(a) for a in rng.choice(np.arange(-len(shape), len(shape)),
                                            size=int(rng.integers(1, len(shape) + 1)), replace=False))


def build(rng, dtype):
    shape = random_shape(rng)
    axes = random_axes(rng, shape)
    x = io_tensor(rng, dtype, shape)
    n = int(np.prod([shape[a] for a in axes]))
    out = act("y", (), dtype, None if dtype == "float32" else
              q(x.quant.s * np.sqrt(n) * rng.uniform(0.5, 4), random_zp(rng, dtype)))
    return single_op("sum", [x], out, {"axes": axes, "keep_dims": bool(rng.random() < 0.5)})


def _sum(sx, so, dtype="int8", zps=(3, -2), shape=(2, 3, 4), axes=(1, 2)):
    zps = zps if dtype == "int8" else (0, 0)
    return unchecked_single_op("sum", [act("x", shape, dtype, q(sx, zps[0]))], act("y", (), dtype, q(so, zps[1])),
                               {"axes": axes})


HOSTILE_VALID = {
    "sum_out_scale_1e30": lambda: _sum(0.1, 1e30),
    "sum_in_scale_1e-30": lambda: _sum(1e-30, 0.1),
    "sum_int16_shift_30": lambda: _sum(1.0, 1 / (2.0 ** 29 * 1.5), dtype="int16"),
    # 16384 int16 elements a sum: int32 sums in the millions
    "sum_int16_16384_elements": lambda: _sum(1.0, 1e4, dtype="int16", shape=(1, 128, 128), axes=(1, 2)),
}
HOSTILE_INVALID = {
    "sum_out_scale_1e-30": (lambda: _sum(0.1, 1e-30), ["'x'", "'y'", "1e-30"]),
}

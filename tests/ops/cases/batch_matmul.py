"""BATCH_MATMUL cases: random operands of rank 2 to 5 with broadcast batch dimensions, adj_x /
adj_y, rhs constant (a Dense layer on a 3-D input, attention's projections) or an activation
(attention's scores), and the quantisation prepare refuses."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import io_tensor, out_tensor, unchecked_single_op
from tests.tflite_builder import act, const, q, random_int, random_scale, random_zp, single_op

DTYPES = ("int8", "int16", "float32")


def _batches(rng):
    rank = int(rng.integers(0, 4))
    full = [int(d) for d in rng.integers(1, 4, size=rank)]
    lhs = [1 if rng.random() < 0.3 else d for d in full]
    rhs = [1 if rng.random() < 0.3 else d for d in full]
    return lhs[int(rng.integers(0, rank + 1)):] if rng.random() < 0.3 else lhs, \
        rhs[int(rng.integers(0, rank + 1)):] if rng.random() < 0.3 else rhs


def build(rng, dtype):
    lb, rb = _batches(rng)
    rows, depth, cols = (int(v) for v in rng.integers(1, 9, size=3))
    adj_x, adj_y = bool(rng.random() < 0.4), bool(rng.random() < 0.4)
    lshape = (*lb, *((depth, rows) if adj_x else (rows, depth)))
    rshape = (*rb, *((cols, depth) if adj_y else (depth, cols)))
    lhs = io_tensor(rng, dtype, lshape, "lhs")
    constant = rng.random() < 0.5
    if dtype == "float32":
        rhs = const("rhs", rng.normal(0, 0.5, rshape).astype(np.float32)) if constant else act("rhs", rshape, dtype)
        return single_op("batch_matmul", [lhs, rhs], out_tensor(rng, dtype), {"adj_x": adj_x, "adj_y": adj_y})
    rq = q(random_scale(rng), random_zp(rng, dtype))
    rhs = const("rhs", random_int(rng, rshape, dtype), rq) if constant else act("rhs", rshape, dtype, rq)
    # typical |sum|: the zero points' product over the depth plus a random walk of the centred products
    full, spread = (127, 74.0 ** 2) if dtype == "int8" else (32767, 18918.0 ** 2)
    typical = abs(float(lhs.quant.zp) * float(rq.zp)) * depth + spread * np.sqrt(depth)
    scale = float(lhs.quant.s * rq.s * typical / full * rng.uniform(0.3, 3.0))
    return single_op("batch_matmul", [lhs, rhs], out_tensor(rng, dtype, scale), {"adj_x": adj_x, "adj_y": adj_y})


def _extreme_int8():
    """Zero points at the ends of int8 and a deep product: the int32 sums (about -2.27e9) wrap to
    about +2.0e9, which the output scale 2^24 shows as about +120 instead of a clamped -128."""
    lhs = act("lhs", (1, 3, 70000), "int8", q(0.5, 127))
    rhs = const("rhs", np.full((70000, 2), 127, np.int8), q(0.5, -128))
    return single_op("batch_matmul", [lhs, rhs], act("y", (), "int8", q(0.25 * 2.0 ** 24, 0)))


def _int16_zero_point():
    lhs = act("lhs", (2, 3), "int16", q(0.01, 5))
    rhs = const("rhs", np.ones((3, 2), np.int16), q(0.01, 0))
    return unchecked_single_op("batch_matmul", [lhs, rhs], act("y", (), "int16", q(0.01, 0)))


def _huge_factor():
    lhs = act("lhs", (2, 3), "int8", q(1.0, 0))
    rhs = const("rhs", np.ones((3, 2), np.int8), q(1.0, 0))
    return unchecked_single_op("batch_matmul", [lhs, rhs], act("y", (), "int8", q(1e-30, 0)))


HOSTILE_VALID = {"batch_matmul_int8_wrapping_sum": _extreme_int8}
HOSTILE_INVALID = {
    "batch_matmul_int16_zero_point": (_int16_zero_point, ["'lhs'", "zero point"]),
    "batch_matmul_huge_rescale": (_huge_factor, ["'y'", "too large"]),
}

"""Case builders shared by the two-input elementwise functions (minimum, maximum, the comparisons,
logical ops, div, squared_difference, floor_div, floor_mod): random broadcast shapes up to rank 4
(_common.broadcast_shapes, or equal shapes), tensors of any dtype (int32/int64/bool unquantised)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import broadcast_shapes
from tests.tflite_builder import act, q, random_scale, random_zp, single_op


def shapes(rng):
    if rng.random() < 0.6:
        return broadcast_shapes(rng)
    s = tuple(rng.integers(1, 6, int(rng.integers(1, 5))).tolist())
    return s, s


def tensor(rng, name, shape, dtype, quant=None):
    if dtype in ("int8", "int16") and quant is None:
        quant = q(random_scale(rng), random_zp(rng, dtype))
    return act(name, shape, dtype, quant if dtype in ("int8", "int16") else None)


def shared_quant(op):
    """a, b and the output in one quantisation (MINIMUM/MAXIMUM: TFLM compares stored values)."""
    def build(rng, dtype):
        sa, sb = shapes(rng)
        quant = q(random_scale(rng), random_zp(rng, dtype)) if dtype in ("int8", "int16") else None
        a, b = tensor(rng, "a", sa, dtype, quant), tensor(rng, "b", sb, dtype, quant)
        return single_op(op, [a, b], tensor(rng, "y", (), dtype, quant))
    return build


def to_bool(op):
    """Independently quantised a and b, a bool output (the comparisons, LOGICAL_AND/OR)."""
    def build(rng, dtype):
        sa, sb = shapes(rng)
        a, b = tensor(rng, "a", sa, dtype), tensor(rng, "b", sb, dtype)
        if dtype in ("int8", "int16") and rng.random() < 0.3:
            b.quant = a.quant                      # equal quantisation: equal values compare equal
        return single_op(op, [a, b], act("y", (), "bool"))
    return build


def scale_below_one(rng):
    return float(np.float32(random_scale(rng, 1e-3, 0.9)))

"""Clip with any bounds (inputs min and max, either missing): Clip(0, 6) is RELU6 and Clip(0, inf)
RELU; other constant bounds are MAXIMUM then MINIMUM with them (a bound above the other gives the
upper one everywhere, as ONNX's numpy reference); bounds computed by the model are MAXIMUM and
MINIMUM with those tensors. No bounds at all: the output is the input. A NaN bound is refused."""
from __future__ import annotations

import math

import numpy as np

from tinycc.plugins.importers.onnx_ops._compose import Composer


def bound(ctx, node, index: int, what: str):
    """(name, constant value or None) of bound `index`, or None when it is not given."""
    if len(node.input) <= index or not node.input[index]:
        return None
    n = ctx.name(node.input[index])
    if n not in ctx.const and n not in ctx.dq_const:
        shape = ctx.infer_shape(ctx.value(node, n))
        if int(np.prod(shape, dtype=np.int64)) != 1:
            raise ctx.fail(node, f"Clip {what} must be a single value, got shape {shape}")
        return n, None
    value = ctx.scalar(node, n, f"Clip {what}")
    if math.isnan(value):
        raise ctx.fail(node, f"Clip {what} is NaN", hint="give the bound as a number")
    return n, value


def convert(ctx, node, out, name):
    lo, hi = bound(ctx, node, 1, "min"), bound(ctx, node, 2, "max")
    op = Composer(ctx, node, name)
    if lo is not None and lo[1] == 0.0 and (hi is None or hi[1] in (6.0, math.inf)):
        return op("relu6" if hi is not None and hi[1] == 6.0 else "relu", node.input[0], out=out)
    lo = None if lo is not None and lo[1] == -math.inf else lo
    hi = None if hi is not None and hi[1] == math.inf else hi
    if lo is None and hi is None:
        ctx.alias[out] = ctx.value(node, node.input[0])
        return None
    x = node.input[0]
    if lo is not None:
        x = op("maximum", x, op.const(lo[1], "min") if lo[1] is not None else lo[0], out=None if hi else out)
    if hi is not None:
        x = op("minimum", x, op.const(hi[1], "max") if hi[1] is not None else hi[0], out=out)
    return x

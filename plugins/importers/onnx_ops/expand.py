"""Expand of an activation to a constant shape (ONNX's two-way broadcasting): BROADCAST_TO the
broadcast shape, in the tensor's layout while it stays 4-D; an identity when nothing grows.
Expand of constants is folded (plugins/importers/onnx_fold.py)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_common import NCHW_TO_NHWC
from tinycc.plugins.importers.onnx_ops._shapes import needs_constant, onnx_shape

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    if ctx.name(node.input[1]) not in ctx.const:
        raise needs_constant(ctx, node, "the shape of Expand")
    target = ctx.int_const(node, node.input[1], "Expand shape")
    shape = onnx_shape(ctx, node, node.input[0])
    try:
        new = tuple(int(d) for d in np.broadcast_shapes(shape, tuple(target)))
    except ValueError:
        raise ctx.fail(node, f"the input {shape} does not broadcast to {tuple(target)}") from None
    x = ctx.value(node, node.input[0])
    if new == shape:
        ctx.alias[out] = x
        return
    if x in ctx.nchw and len(new) == 4:
        return ctx.emit(name, "broadcast_to", [x], out, {"shape": tuple(new[k] for k in NCHW_TO_NHWC)}, nchw=True)
    x = ctx.plain(node, node.input[0])
    ctx.emit(name, "broadcast_to", [x], out, {"shape": new})

"""Softmax over the innermost axis (in NHWC): SOFTMAX with beta 1."""
from __future__ import annotations


def convert(ctx, node, out, name):
    x = ctx.value(node, node.input[0])
    rank = len(ctx.infer_shape(x))
    axis = ctx.core_axis(x, int(ctx.attr(node, "axis", -1)), rank, node)
    if axis != rank - 1:
        raise ctx.fail(node, "Softmax over an axis other than the innermost (in NHWC) is not supported")
    ctx.emit(name, "softmax", [x], out, {"beta": 1.0}, nchw=x in ctx.nchw)

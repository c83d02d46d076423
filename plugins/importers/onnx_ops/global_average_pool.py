"""GlobalAveragePool of an NCHW input: MEAN over H and W, keeping the dimensions."""
from __future__ import annotations


def convert(ctx, node, out, name):
    x = ctx.nhwc(node, node.input[0])
    ctx.emit(name, "mean", [x], out, {"axes": (1, 2), "keep_dims": True}, nchw=True)

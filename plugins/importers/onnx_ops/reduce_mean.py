"""ReduceMean: MEAN over the axes (input or attribute) translated to the layout; without
keepdims an NHWC-held input is brought back to NCHW first."""
from __future__ import annotations


def convert(ctx, node, out, name):
    x = ctx.value(node, node.input[0])
    rank = len(ctx.infer_shape(x))
    if len(node.input) > 1 and node.input[1]:
        axes = ctx.int_const(node, node.input[1], "ReduceMean axes")
    else:
        axes = [int(a) for a in ctx.attr(node, "axes", list(range(rank)))]
    keep = bool(ctx.attr(node, "keepdims", 1))
    if x in ctx.nchw and not keep:
        x = ctx.plain(node, node.input[0])
    ctx.emit(name, "mean", [x], out, {"axes": tuple(ctx.core_axis(x, a, rank, node) for a in axes), "keep_dims": keep},
             nchw=x in ctx.nchw)

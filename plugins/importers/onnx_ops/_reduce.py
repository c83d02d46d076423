"""ReduceMean/Max/Min/Sum: the core reduction over the axes (the `axes` input, opset 18 and
ReduceSum 13, or the attribute before) translated to the layout; no axes reduce every axis, or,
with noop_with_empty_axes, leave the input as it is. Without keepdims an NHWC-held input is
brought back to NCHW first."""
from __future__ import annotations


def convert_reduce(ctx, node, out, name, core_op):
    x = ctx.value(node, node.input[0])
    rank = len(ctx.infer_shape(x))
    if len(node.input) > 1 and node.input[1]:
        axes = ctx.int_const(node, node.input[1], f"{node.op_type} axes")
    else:
        axes = [int(a) for a in ctx.attr(node, "axes", [])]
    if not axes:
        if int(ctx.attr(node, "noop_with_empty_axes", 0)):
            ctx.alias[out] = x
            return
        axes = list(range(rank))
    keep = bool(ctx.attr(node, "keepdims", 1))
    if x in ctx.nchw and not keep:
        x = ctx.plain(node, node.input[0])
    ctx.emit(name, core_op, [x], out, {"axes": tuple(ctx.core_axis(x, a, rank, node) for a in axes),
                                       "keep_dims": keep}, nchw=x in ctx.nchw)

"""Concat: CONCATENATION on the axis translated to the inputs' layout (inputs of mixed layouts
are brought back to NCHW first)."""
from __future__ import annotations


def convert(ctx, node, out, name):
    if not all(node.input):
        raise ctx.fail(node, f"needs 1 input, got {list(node.input)}")
    xs = [ctx.value(node, n) for n in node.input]
    layouts = {x in ctx.nchw for x in xs}
    if len(layouts) > 1:
        xs = [ctx.plain(node, n) for n in node.input]
    rank = len(ctx.infer_shape(xs[0]))
    if not ctx.has_attr(node, "axis"):
        raise ctx.fail(node, "Concat needs its axis attribute")
    axis = ctx.core_axis(xs[0], int(ctx.attr(node, "axis")), rank, node)
    ctx.emit(name, "concatenation", xs, out, {"axis": axis}, nchw=xs[0] in ctx.nchw)

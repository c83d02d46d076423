"""Softmax and LogSoftmax over any axis: the core ops work on the innermost axis, so another axis
(after the NHWC translation) is swapped with the innermost by a TRANSPOSE before and after."""
from __future__ import annotations


def along_axis(ctx, node, out, name, core_op, attrs=None):
    x = ctx.value(node, node.input[0])
    rank = len(ctx.infer_shape(x))
    axis = ctx.core_axis(x, int(ctx.attr(node, "axis", -1)), rank, node)
    nchw = x in ctx.nchw
    if axis == rank - 1:
        return ctx.emit(name, core_op, [x], out, attrs, nchw=nchw)
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]             # its own inverse
    t = ctx.emit(f"{name}:axis_last", "transpose", [x], ctx.fresh(f"{out}/axis_last"), {"perm": tuple(perm)})
    y = ctx.emit(f"{name}:{core_op}", core_op, [t], ctx.fresh(f"{out}/{core_op}"), attrs)
    return ctx.emit(f"{name}:axis_back", "transpose", [y], out, {"perm": tuple(perm)}, nchw=nchw)

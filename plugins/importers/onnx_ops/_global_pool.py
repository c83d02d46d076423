"""Shared by GlobalAveragePool and GlobalMaxPool: a reduction over the spatial axes keeping them."""
from __future__ import annotations


def global_pool(ctx, node, out, name, core_op):
    x = ctx.value(node, node.input[0])
    if x in ctx.nchw:                    # NHWC-held, 2-D or 1-D (N, 1, W, C): H and W
        return ctx.emit(name, core_op, [x], out, {"axes": (1, 2), "keep_dims": True}, nchw=True)
    rank = len(ctx.infer_shape(x))
    if rank < 3:
        raise ctx.fail(node, f"needs an input of rank 3 or more (N, C, spatial...), got rank {rank}")
    ctx.emit(name, core_op, [x], out, {"axes": tuple(range(2, rank)), "keep_dims": True})

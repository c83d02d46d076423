"""Shared by MaxPool and AveragePool: 2-D pooling of an NCHW input, TFLite-style."""
from __future__ import annotations


def pool(ctx, node, out, name, core_op):
    x = ctx.nhwc(node, node.input[0])
    kernel = ctx.ints(node, "kernel_shape", None, 2, 1)
    strides = ctx.ints(node, "strides", [1, 1], 2, 1)
    if ctx.attr(node, "ceil_mode", 0):
        raise ctx.fail(node, "ceil_mode=1 is not supported", hint="export with ceil_mode=False")
    if tuple(ctx.attr(node, "dilations", [1, 1])) != (1, 1):
        raise ctx.fail(node, "dilated pooling is not supported")
    pads = ctx.conv_pads(node, ctx.hw(x), kernel, strides, (1, 1))
    if core_op == "average_pool_2d" and any(pads) and ctx.attr(node, "count_include_pad", 0):
        raise ctx.fail(node, "count_include_pad=1 with padding is not supported",
                       hint="TFLite-style pooling averages the in-bounds elements only")
    ctx.emit(name, core_op, [x], out, {"kernel": kernel, "strides": strides, "pads": pads}, nchw=True)

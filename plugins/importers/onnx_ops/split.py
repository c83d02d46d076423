"""Split of an activation along an axis: SPLIT for equal parts, else SPLIT_V; the sizes come from
the `split` input (opset 13+), from `num_outputs` (opset 18: parts of ceil(d / n), the last one
smaller), or are equal over the outputs. Zero-sized parts are refused. Splits of constants are
folded (plugins/importers/onnx_fold.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._shapes import emit_many, needs_constant, onnx_axis, onnx_shape, to_core_axis


def convert(ctx, node, out, name):
    outs = list(node.output)
    if not all(outs):
        raise ctx.fail(node, f"outputs {outs} include an unnamed one")
    shape = onnx_shape(ctx, node, node.input[0])
    axis = onnx_axis(ctx, node, len(shape))
    d = shape[axis]
    if len(node.input) > 1 and node.input[1]:
        if ctx.name(node.input[1]) not in ctx.const:
            raise needs_constant(ctx, node, "the split sizes")
        sizes = ctx.int_const(node, node.input[1], "Split sizes")
    elif ctx.has_attr(node, "num_outputs"):
        n = int(ctx.attr(node, "num_outputs"))
        if n != len(outs) or n < 1:
            raise ctx.fail(node, f"num_outputs {n} differs from the node's {len(outs)} outputs")
        chunk = -(-d // n)
        sizes = [chunk] * (n - 1) + [d - chunk * (n - 1)]
    else:
        if d % len(outs):
            raise ctx.fail(node, f"dimension {d} of axis {axis} does not split into {len(outs)} equal parts")
        sizes = [d // len(outs)] * len(outs)
    if len(sizes) != len(outs) or sum(sizes) != d or min(sizes) < 1:
        raise ctx.fail(node, f"split sizes {sizes} must be {len(outs)} positive sizes adding up to {d} "
                             f"(axis {axis} of the input {shape})")
    x = ctx.value(node, node.input[0])
    core_axis = to_core_axis(ctx, x, axis)
    if len(set(sizes)) == 1:
        return emit_many(ctx, name, "split", x, outs, {"axis": core_axis, "num_splits": len(outs)}, x in ctx.nchw)
    emit_many(ctx, name, "split_v", x, outs, {"size_splits": tuple(sizes), "axis": core_axis}, x in ctx.nchw)

"""Reshape to a constant shape, in ONNX's memory order (0 copies an input dimension)."""
from __future__ import annotations

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    shape = ctx.int_const(node, node.input[1], "Reshape shape")
    x_shape = ctx.shapes.get(node.input[0])
    if 0 in shape:
        if x_shape is None or ctx.attr(node, "allowzero", 0) or \
                any(d == 0 and k >= len(x_shape) for k, d in enumerate(shape)):
            raise ctx.fail(node, "Reshape with 0 (copy) dimensions needs a known input shape")
        shape = [x_shape[k] if d == 0 else d for k, d in enumerate(shape)]
    x = ctx.plain(node, node.input[0])
    ctx.emit(name, "reshape", [x], out, {"shape": tuple(int(d) for d in shape)}, dtype=ctx.tensors[x].dtype)

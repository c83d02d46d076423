"""Shared by Squeeze and Unsqueeze: RESHAPE in ONNX's memory order; axes from the input or
the attribute, checked for range and repeats."""
from __future__ import annotations


def squeeze_like(ctx, node, out, name, squeeze: bool):
    x = ctx.plain(node, node.input[0])
    shape = list(ctx.infer_shape(x))
    if len(node.input) > 1 and node.input[1]:
        axes = ctx.int_const(node, node.input[1], "axes")
    else:
        axes = [int(a) for a in ctx.attr(node, "axes", [])]
    rank = len(shape) + (0 if squeeze else len(axes))
    if any(not -rank <= a < rank for a in axes) or len({a % rank for a in axes}) != len(axes):
        raise ctx.fail(node, f"axes {axes} are out of range or repeated for a {rank}-D result"
                       if not squeeze else f"axes {axes} are out of range or repeated for a {rank}-D input")
    if squeeze:
        axes = [a % rank for a in axes] or [k for k, d in enumerate(shape) if d == 1]
        if any(shape[a] != 1 for a in axes):
            raise ctx.fail(node, f"cannot squeeze axes {axes} of shape {tuple(shape)}: they are not 1")
        new = [d for k, d in enumerate(shape) if k not in axes]
    else:
        axes = sorted(a % rank for a in axes)
        new = shape[:]
        for a in axes:
            new.insert(a, 1)
    ctx.emit(name, "reshape", [x], out, {"shape": tuple(new)}, dtype=ctx.tensors[x].dtype)

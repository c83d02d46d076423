"""Tile of an activation by constant repeats: tinycc's core has no TILE, so each repeated axis
is one CONCATENATION of that many copies (in the tensor's layout). Tiles of constants are
folded (plugins/importers/onnx_fold.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._shapes import needs_constant, onnx_shape, to_core_axis

MIN_INPUTS = 2
MAX_COPIES = 1 << 12           # inputs of one CONCATENATION


def convert(ctx, node, out, name):
    if ctx.name(node.input[1]) not in ctx.const:
        raise needs_constant(ctx, node, "the repeats of Tile")
    repeats = ctx.int_const(node, node.input[1], "Tile repeats")
    shape = onnx_shape(ctx, node, node.input[0])
    if len(repeats) != len(shape) or not all(1 <= r <= MAX_COPIES for r in repeats):
        raise ctx.fail(node, f"repeats {repeats} must be {len(shape)} integers in 1..{MAX_COPIES} "
                             f"(one per axis of the input {shape})")
    y = ctx.value(node, node.input[0])
    axes = [a for a, r in enumerate(repeats) if r > 1]
    if not axes:
        ctx.alias[out] = y
        return
    nchw = y in ctx.nchw
    for k, a in enumerate(axes):
        last = k == len(axes) - 1
        y = ctx.emit(name if last else f"{name}/axis{a}", "concatenation", [y] * repeats[a],
                     out if last else ctx.fresh(f"{out}/axis{a}"), {"axis": to_core_axis(ctx, y, a)}, nchw=nchw)

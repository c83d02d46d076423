"""Max, Min (and any variadic elementwise ONNX operator): one binary core op per further operand,
broadcast as ONNX does (numpy rules); a single operand is the output itself."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._elementwise import binary


def fold(ctx, node, out, name, core_op):
    names = [n for n in node.input if n]
    if len(names) == 1:
        ctx.alias[out] = ctx.value(node, names[0])
        return
    acc = names[0]
    for k, n in enumerate(names[1:], start=1):
        last = k == len(names) - 1
        acc = binary(ctx, node, out if last else ctx.fresh(f"{out}/{core_op}{k}"),
                     name if last else f"{name}:{core_op}{k}", core_op, [acc, n])

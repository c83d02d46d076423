"""Identity: the output is another name for the input (no core node)."""
from __future__ import annotations


def convert(ctx, node, out, name):
    ctx.alias[out] = ctx.value(node, node.input[0])

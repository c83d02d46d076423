"""pad: Relax's pad with the node's (before, after) widths per axis and constant value."""
from __future__ import annotations


def relax_op(relax, node, g, x, val):
    a = node.attrs
    widths = [v for pair in a["paddings"] for v in pair]
    value = 0.0 if a.get("value") is None else float(a["value"])
    return relax.op.nn.pad(x, widths, pad_value=value)

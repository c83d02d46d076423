"""concatenation: Relax's concat of every input along the node's axis."""
from __future__ import annotations


def relax_op(relax, node, g, x, val):
    return relax.op.concat([val(n) for n in node.inputs], axis=node.attrs["axis"])

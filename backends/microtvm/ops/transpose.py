"""transpose: Relax's permute_dims."""
from __future__ import annotations


def relax_op(relax, node, g, x, val):
    return relax.op.permute_dims(x, list(node.attrs["perm"]))

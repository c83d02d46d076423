"""mean: Relax's mean over the node's axes."""
from __future__ import annotations


def relax_op(relax, node, g, x, val):
    return relax.op.mean(x, axis=list(node.attrs["axes"]), keepdims=bool(node.attrs["keep_dims"]))

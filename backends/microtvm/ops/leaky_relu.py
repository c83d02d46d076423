"""leaky_relu: Relax's leakyrelu with the node's alpha."""
from __future__ import annotations


def relax_op(relax, node, g, x, val):
    return relax.op.nn.leakyrelu(x, float(node.attrs["alpha"]))

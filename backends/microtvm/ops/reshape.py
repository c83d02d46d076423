"""reshape: Relax's reshape to the output's static shape."""
from __future__ import annotations


def relax_op(relax, node, g, x, val):
    return relax.op.reshape(x, g.tensors[node.outputs[0]].shape)

"""mul: Relax's broadcasting multiply, then the fused activation."""
from __future__ import annotations

from tinycc.backends.microtvm.ops._common import activation


def relax_op(relax, node, g, x, val):
    return activation(relax, relax.op.multiply(x, val(node.inputs[1])), node.attrs["activation"])

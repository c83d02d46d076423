"""strided_slice: Relax's strided_slice over every axis (core's resolved bounds; positive strides
only), reshaped to the output's shape (shrink_axis)."""
from __future__ import annotations

from tinycc.core.errors import TinyccError
from tinycc.core.ops.strided_slice import bounds


def relax_op(relax, node, g, x, val):
    shape = g.tensors[node.inputs[0]].shape
    b = bounds(node, shape)
    if any(stride < 0 for _, _, stride in b):
        raise TinyccError("negative strides are not supported by the microtvm backend yet", node=node.name,
                          op=node.op)
    y = relax.op.strided_slice(x, axes=list(range(len(shape))), begin=[s for s, _, _ in b],
                               end=[e for _, e, _ in b], strides=[st for _, _, st in b])
    return relax.op.reshape(y, g.tensors[node.outputs[0]].shape)

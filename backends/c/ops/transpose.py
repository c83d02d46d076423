"""C emitter for transpose: one strided copy (output order, input strides permuted)."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    perm = node.attrs["perm"]
    in_strides = mv.contiguous_strides(x.shape)
    b = mv.box(m, node, list(y.shape), [in_strides[k] for k in perm], mv.contiguous_strides(y.shape))
    mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

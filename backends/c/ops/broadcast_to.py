"""C emitter for broadcast_to: one strided copy reading repeated dimensions with stride 0."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    extra = len(y.shape) - len(x.shape)
    in_strides = [0] * extra + [0 if d == 1 else s for d, s in zip(x.shape, mv.contiguous_strides(x.shape))]
    b = mv.box(m, node, list(y.shape), in_strides, mv.contiguous_strides(y.shape))
    mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

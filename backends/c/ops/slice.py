"""C emitter for slice: one strided copy of the box prepare resolved."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    in_strides = mv.contiguous_strides(x.shape)
    offset = sum(b * s for (b, _), s in zip(p["box"], in_strides))
    b = mv.box(m, node, list(y.shape), in_strides, mv.contiguous_strides(y.shape), src_offset=offset)
    mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

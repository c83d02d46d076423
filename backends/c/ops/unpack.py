"""C emitter for unpack: one strided copy per output from its index along the axis."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    axis = node.attrs["axis"]
    in_strides = mv.contiguous_strides(x.shape)
    src_strides = in_strides[:axis] + in_strides[axis + 1:]
    for i, name in enumerate(node.outputs):
        y = m.g.tensors[name]
        b = mv.box(m, node, list(y.shape), src_strides, mv.contiguous_strides(y.shape),
                   src_offset=i * in_strides[axis])
        mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(name))

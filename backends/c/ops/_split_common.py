"""Shared by the split emitters: one strided copy per output from its start along the axis."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit_parts(node, m, sizes):
    x = m.g.tensors[node.inputs[0]]
    axis = node.attrs["axis"]
    in_strides = mv.contiguous_strides(x.shape)
    start = 0
    for name, size in zip(node.outputs, sizes):
        y = m.g.tensors[name]
        b = mv.box(m, node, list(y.shape), in_strides, mv.contiguous_strides(y.shape),
                   src_offset=start * in_strides[axis])
        mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(name))
        start += size

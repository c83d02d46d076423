"""C emitter for concatenation: one strided copy per input into its slot along the axis."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    y = m.g.tensors[node.outputs[0]]
    axis = node.attrs["axis"]
    out_strides = mv.contiguous_strides(y.shape)
    at = 0
    for name in node.inputs:
        x = m.g.tensors[name]
        b = mv.box(m, node, list(x.shape), mv.contiguous_strides(x.shape), out_strides,
                   dst_offset=at * out_strides[axis])
        mv.copy(m, node, b, m.ptr(name, const=True), m.ptr(node.outputs[0]))
        at += x.shape[axis]

"""C emitter for pack: one strided copy per input into its slot along the new axis."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    y = m.g.tensors[node.outputs[0]]
    axis = node.attrs["axis"]
    out_strides = mv.contiguous_strides(y.shape)
    dst_strides = out_strides[:axis] + out_strides[axis + 1:]
    for i, name in enumerate(node.inputs):
        x = m.g.tensors[name]
        b = mv.box(m, node, list(x.shape), mv.contiguous_strides(x.shape), dst_strides,
                   dst_offset=i * out_strides[axis])
        mv.copy(m, node, b, m.ptr(name, const=True), m.ptr(node.outputs[0]))

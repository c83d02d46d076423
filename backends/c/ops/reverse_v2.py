"""C emitter for reverse_v2: one strided copy reading the reversed axes backwards."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    strides = mv.contiguous_strides(x.shape)
    src = [-s if k in p["axes"] else s for k, s in enumerate(strides)]
    offset = sum((x.shape[k] - 1) * strides[k] for k in p["axes"])
    b = mv.box(m, node, list(x.shape), src, strides, src_offset=offset)
    mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

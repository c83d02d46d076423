"""C emitter for space_to_depth: one 6-D strided copy over (batch, out row, block row, out column,
block column, channel)."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    n, h, w, ch = m.g.tensors[node.inputs[0]].shape
    b = p["block_size"]
    oh, ow = h // b, w // b
    dims = [n, oh, b, ow, b, ch]
    src = [h * w * ch, b * w * ch, w * ch, b * ch, ch, 1]
    dst = [oh * ow * b * b * ch, ow * b * b * ch, b * ch, b * b * ch, ch, 1]
    mv.copy(m, node, mv.box(m, node, dims, src, dst), m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

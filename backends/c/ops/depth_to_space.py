"""C emitter for depth_to_space: one 6-D strided copy over (batch, in row, block row, in column,
block column, channel)."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    n, h, w, ch = m.g.tensors[node.inputs[0]].shape
    b = p["block_size"]
    co, ow = ch // (b * b), w * b
    dims = [n, h, b, w, b, co]
    src = [h * w * ch, w * ch, b * co, ch, co, 1]
    dst = [h * b * ow * co, b * ow * co, ow * co, b * co, co, 1]
    mv.copy(m, node, mv.box(m, node, dims, src, dst), m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

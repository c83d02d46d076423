"""C emitter for fill: the output set to the scalar value, element by element."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX


def emit(node, m, p):
    y = m.g.tensors[node.outputs[0]]
    m.use_kernel("movement.h")
    m.emit(f"tinycc_fill_{SUFFIX[y.dtype]}({y.size}, {m.ptr(node.outputs[0])}, "
           f"{m.ptr(node.inputs[0], const=True)}[0]);")

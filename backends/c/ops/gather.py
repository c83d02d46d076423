"""C emitter for gather: row copies at the constant positions (kernels/gather.h)."""
from __future__ import annotations

from tinycc.core.graph import np_dtype


def emit(node, m, p):
    m.use_kernel("gather.h")
    elem = np_dtype(m.g.tensors[node.outputs[0]].dtype).itemsize
    m.emit(f"tinycc_gather({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.inputs[1], const=True)}, "
           f"{m.ptr(node.outputs[0])}, {p['batch']}, {p['outer']}, {p['axis_size']}, {p['coords']}, "
           f"{p['inner']}, {elem});")

"""C emitter for gather_nd: the constant index rows resolved to slice numbers at compile time,
then row copies (kernels/gather.h)."""
from __future__ import annotations

from tinycc.core.graph import np_dtype


def emit(node, m, p):
    m.use_kernel("gather.h")
    elem = np_dtype(m.g.tensors[node.outputs[0]].dtype).itemsize
    slices = m.const_array(p["slices"], f"{node.name}_slices")
    m.emit(f"tinycc_gather({m.ptr(node.inputs[0], const=True)}, {slices}, {m.ptr(node.outputs[0])}, 1, 1, "
           f"{p['count']}, {len(p['slices'])}, {p['slice_size']}, {elem});")

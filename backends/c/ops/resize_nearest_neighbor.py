"""C emitter for resize_nearest_neighbor: the row and column index tables and one gather of whole
pixels (optimised/resize_fast.h: a row repeating the previous one's source is one copy of it)."""
from __future__ import annotations

from tinycc.core.graph import np_dtype


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    n, h, w, ch = x.shape
    oh, ow = node.attrs["size"]
    ys, xs = m.const_array(p["ys"], "resize_rows"), m.const_array(p["xs"], "resize_cols")
    m.use_kernel("resize.h")
    m.use_kernel("dot_s8.h")
    m.use_kernel("resize_fast.h")
    pixel = ch * np_dtype(x.dtype).itemsize
    m.emit(f"tinycc_resize_nearest_fast((const int8_t *){m.ptr(node.inputs[0], const=True)}, "
           f"(int8_t *){m.ptr(node.outputs[0])}, {n}, {h}, {w}, {oh}, {ow}, {pixel}, {ys}, {xs});")

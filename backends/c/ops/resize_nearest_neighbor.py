"""C emitter for resize_nearest_neighbor: the row and column index tables and one gather of whole
pixels. Pixels of fewer than WORD_PIXEL bytes take tinycc_resize_nearest_fast (optimised/resize_fast.h:
an output row repeating the previous one's source row is one word copy of it, instead of a short
copy per pixel); wider pixels are already copied at the word loop's speed by the reference gather
(measured on a Cortex-M4: 24x24x32 to 48x48, 51,085 instructions gathering vs 53,760 repeating rows)."""
from __future__ import annotations

from tinycc.core.graph import np_dtype

WORD_PIXEL = 16     # bytes: tinycc_copy_bytes' word loop copies 16 a turn


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    n, h, w, ch = x.shape
    oh, ow = node.attrs["size"]
    ys, xs = m.const_array(p["ys"], "resize_rows"), m.const_array(p["xs"], "resize_cols")
    m.use_kernel("resize.h")
    pixel = ch * np_dtype(x.dtype).itemsize
    kernel = "tinycc_resize_nearest"
    if pixel < WORD_PIXEL:
        m.use_kernel("dot_s8.h")
        m.use_kernel("resize_fast.h")
        kernel = "tinycc_resize_nearest_fast"
    m.emit(f"{kernel}((const int8_t *){m.ptr(node.inputs[0], const=True)}, "
           f"(int8_t *){m.ptr(node.outputs[0])}, {n}, {h}, {w}, {oh}, {ow}, {pixel}, {ys}, {xs});")

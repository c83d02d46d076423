"""C emitter for l2_normalization: one call of the l2norm.h (int8) or l2norm_f32.h kernel over (rows, depth)."""
from __future__ import annotations


def emit(node, m, p):
    src, dst = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if p["dtype"] == "float32":
        m.needs_math = True
        m.use_kernel("l2norm_f32.h")
        m.emit(f"tinycc_l2norm_f32({src}, {dst}, {p['rows']}, {p['depth']});")
    else:
        m.use_kernel("sat_shl.h")
        m.use_kernel("inv_sqrt.h")
        m.use_kernel("l2norm.h")
        m.emit(f"tinycc_l2norm_s8({src}, {dst}, {p['rows']}, {p['depth']}, {p['input_zp']});")

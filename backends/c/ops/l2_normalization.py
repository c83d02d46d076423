"""C emitter for l2_normalization: one call of the l2norm.h (int8, after the common sat_shl.h and
inv_sqrt.h) or l2norm_f32.h kernel over (rows, depth)."""
from __future__ import annotations

from tinycc.backends.c.ops._last_axis import emit_f32


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_f32(node, m, p, "l2norm")
    m.use_kernel("sat_shl.h")
    m.use_kernel("inv_sqrt.h")
    m.use_kernel("l2norm.h")
    m.emit(f"tinycc_l2norm_s8({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {p['rows']}, "
           f"{p['depth']}, {p['input_zp']});")

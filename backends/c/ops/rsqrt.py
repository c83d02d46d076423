"""C emitter for rsqrt: 1.0f / sqrtf(v) for float32, the quantised int16 kernel (rsqrt.h); int8 is a
table made by the reference (see lut)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_f32(node, m, "rsqrt", "1.0f / sqrtf(v)")
    m.use_kernel("sat_shl.h")
    m.use_kernel("inv_sqrt.h")
    m.use_kernel("rsqrt.h")
    m.emit(f"tinycc_rsqrt_s16({m.g.tensors[node.outputs[0]].size}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.outputs[0])}, {p['input_zp']}, {p['multiplier']}, {p['shift']}, {p['output_zp']});")

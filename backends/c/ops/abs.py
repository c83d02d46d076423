"""C emitter for abs (int8 is a table, see lut): fabsf for float32, the quantised int16 kernel, or
for an unquantised int16 input TFLM's plain std::abs (whose cast back keeps -32768)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32, emit_map


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_f32(node, m, "abs", "fabsf(v)")
    if p.get("plain"):
        return emit_map(node, m, "abs_plain_s16", "return v == INT16_MIN ? v : (int16_t)(v < 0 ? -v : v);")
    m.use_kernel("abs.h")
    m.emit(f"tinycc_abs_s16({m.g.tensors[node.outputs[0]].size}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.outputs[0])}, {int(p['rescale'])}, {p['multiplier']}, {p['shift']});")

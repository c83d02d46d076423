"""C emitter for abs (int8 is a table, see lut): fabsf for float32, or the quantised int16 kernel."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_f32(node, m, "abs", "fabsf(v)")
    m.use_kernel("abs.h")
    m.emit(f"tinycc_abs_s16({m.g.tensors[node.outputs[0]].size}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.outputs[0])}, {int(p['rescale'])}, {p['multiplier']}, {p['shift']});")

"""C emitter for leaky_relu (int8 is a table, see lut): two-multiplier kernel, or the float kernel."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._unary_common import emit_float, io


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_float(node, m)
    m.use_kernel("unary.h")
    x, y, n = io(node, m)
    m.emit(f"tinycc_leaky_relu_{SUFFIX[p['dtype']]}({n}, {x}, {y}, {p['input_zp']}, {p['output_zp']}, "
           f"{p['multiplier_identity']}, {p['shift_identity']}, {p['multiplier_alpha']}, {p['shift_alpha']});")

"""C emitter for relu6 (int8 is a table, see lut): a clamp for int16, or the float kernel."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._unary_common import emit_float, io


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_float(node, m)
    m.use_kernel("unary.h")
    x, y, n = io(node, m)
    m.emit(f"tinycc_clamp_{SUFFIX[p['dtype']]}({n}, {x}, {y}, {p['act_min']}, {p['act_max']});")

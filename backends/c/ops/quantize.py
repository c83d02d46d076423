"""C emitter for quantize: float -> integer rounding kernel, or an integer rescale."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX, c_float
from tinycc.backends.c.ops._unary_common import emit_rescale, io


def emit(node, m, p):
    if p["dtype"] != "float32":
        return emit_rescale(node, m, p)
    m.use_kernel("unary_f32.h")
    m.needs_math = True
    x, y, n = io(node, m)
    m.emit(f"tinycc_quantize_f32_{SUFFIX[p['out_dtype']]}({n}, {x}, {y}, {c_float(p['scale'])}, {p['output_zp']});")

"""C emitter for dequantize: (float)(scale * (x - zp)) with the scale as a double constant."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._unary_common import io


def emit(node, m, p):
    m.use_kernel("unary.h")
    x, y, n = io(node, m)
    m.emit(f"tinycc_dequantize_{SUFFIX[p['dtype']]}({n}, {x}, {y}, {float(p['scale'])!r}, {p['input_zp']});")

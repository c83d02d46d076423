"""C emitter for hard_swish: float32 only (int8 -> int8 is a table of the reference kernel, see lut)."""
from __future__ import annotations

from tinycc.backends.c.ops._unary_common import io


def emit(node, m, p):
    if p["dtype"] != "float32":
        raise AssertionError(f"hard_swish {p['dtype']} reaches the table emitter (lut), not this one")
    m.use_kernel("hard_swish_f32.h")
    x, y, n = io(node, m)
    m.emit(f"tinycc_hard_swish_f32({n}, {x}, {y});")

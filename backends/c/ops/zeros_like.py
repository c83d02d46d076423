"""C emitter for zeros_like (int8 is a table, see lut): 0 for every element."""
from __future__ import annotations

from tinycc.backends.c.ops._map import SUFFIX, emit_map


def emit(node, m, p):
    emit_map(node, m, f"zeros_like_{SUFFIX[p['dtype']]}", "(void)v;\n    return 0;")

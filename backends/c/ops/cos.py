"""C emitter for cos (float32 only): cosf(v) per element, from the C library (<math.h>)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    emit_f32(node, m, "cos", "cosf(v)")

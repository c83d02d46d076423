"""C emitter for exp (float32 only): expf(v) per element, from the C library (<math.h>)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    emit_f32(node, m, "exp", "expf(v)")

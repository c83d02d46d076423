"""C emitter for elu: v < 0 ? expm1f(v) : v for float32 (int8 is a table, see lut)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    emit_f32(node, m, "elu", "v < 0.0f ? expm1f(v) : v")

"""C emitter for rsqrt: 1.0f / sqrtf(v) for float32 (int8 is a table made by the reference, see lut)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    emit_f32(node, m, "rsqrt", "1.0f / sqrtf(v)")

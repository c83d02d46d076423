"""C emitter for square (float32 only): v * v per element."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_f32


def emit(node, m, p):
    emit_f32(node, m, "square", "v * v", math=False)

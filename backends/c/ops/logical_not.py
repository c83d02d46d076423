"""C emitter for logical_not (bool, one byte per element): 1 where the byte is 0, else 0."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_map


def emit(node, m, p):
    emit_map(node, m, "logical_not_b", "return (uint8_t)(v == 0);")

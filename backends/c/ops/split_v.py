"""C emitter for split_v: parts of the resolved sizes, one strided copy each."""
from __future__ import annotations

from tinycc.backends.c.ops._split_common import emit_parts


def emit(node, m, p):
    emit_parts(node, m, p["sizes"])

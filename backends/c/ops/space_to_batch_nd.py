"""C emitter for space_to_batch_nd (kernels/space_batch.h)."""
from __future__ import annotations

from tinycc.backends.c.ops import _space_batch


def emit(node, m, p):
    _space_batch.emit(node, m, "space_to_batch", "paddings", p["fill"])

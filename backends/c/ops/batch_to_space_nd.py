"""C emitter for batch_to_space_nd (kernels/space_batch.h)."""
from __future__ import annotations

from tinycc.backends.c.ops import _space_batch


def emit(node, m, p):
    _space_batch.emit(node, m, "batch_to_space", "crops")

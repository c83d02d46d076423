"""C emitter for unpack: one strided copy per output from its index along the axis."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    mv.copy_slots(m, node, node.inputs[0], list(node.outputs), node.attrs["axis"], gather=False)

"""C emitter for pack: one strided copy per input into its slot along the new axis."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    mv.copy_slots(m, node, node.outputs[0], list(node.inputs), node.attrs["axis"], gather=True)

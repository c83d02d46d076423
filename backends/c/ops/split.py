"""C emitter for split: equal parts, one strided copy each."""
from __future__ import annotations

from tinycc.backends.c.ops._split_common import emit_parts


def emit(node, m, p):
    emit_parts(node, m, [m.g.tensors[n].shape[node.attrs["axis"]] for n in node.outputs])

"""C emitter for SignalWindow: one call over every frame."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER, size


def emit(node, m, p):
    m.use_kernel(HEADER)
    x, w = node.inputs
    m.emit(f"tinycc_signal_window({size(m, x)}, {size(m, w)}, {m.ptr(x, const=True)}, {m.ptr(w, const=True)}, "
           f"{p['shift']}, {m.ptr(node.outputs[0])});")

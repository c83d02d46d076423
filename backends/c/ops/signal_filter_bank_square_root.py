"""C emitter for SignalFilterBankSquareRoot (the shift is read at run time)."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER, size


def emit(node, m, p):
    m.use_kernel(HEADER)
    x, s = node.inputs
    m.emit(f"tinycc_signal_filter_bank_sqrt({size(m, x)}, {m.ptr(x, const=True)}, {m.ptr(s, const=True)}, "
           f"{m.ptr(node.outputs[0])});")

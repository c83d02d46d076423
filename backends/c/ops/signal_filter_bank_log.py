"""C emitter for SignalFilterBankLog."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER, size


def emit(node, m, p):
    m.use_kernel(HEADER)
    x = node.inputs[0]
    m.emit(f"tinycc_signal_filter_bank_log({size(m, x)}, {m.ptr(x, const=True)}, {p['correction_bits']}, "
           f"{p['output_scale']}u, {m.ptr(node.outputs[0])});")

"""C emitter for SignalFftAutoScale: the scaled signal and the shift (an int32 scalar)."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER, size


def emit(node, m, p):
    m.use_kernel(HEADER)
    x = node.inputs[0]
    y, s = node.outputs
    m.emit(f"tinycc_signal_fft_auto_scale({size(m, x)}, {m.ptr(x, const=True)}, {m.ptr(y)}, {m.ptr(s)});")

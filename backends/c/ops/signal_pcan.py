"""C emitter for SignalPCAN."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER, size


def emit(node, m, p):
    m.use_kernel(HEADER)
    x, noise, lut = node.inputs
    m.emit(f"tinycc_signal_pcan({size(m, x)}, {m.ptr(x, const=True)}, {m.ptr(noise, const=True)}, "
           f"{m.ptr(lut, const=True)}, {p['snr_shift']}, {m.ptr(node.outputs[0])});")

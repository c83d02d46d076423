"""C emitter for SignalEnergy (bins outside [start, end) written as 0)."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER, size


def emit(node, m, p):
    m.use_kernel(HEADER)
    y = node.outputs[0]
    m.emit(f"tinycc_signal_energy({size(m, y)}, {p['start']}, {p['end']}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(y)});")

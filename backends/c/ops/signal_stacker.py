"""C emitter for SignalStacker (int16): its FIFO, last stack and counters are the node's kernel
state in the persistent state buffer (core/planner.py kernel_state), restored by NAME_reset()."""
from __future__ import annotations

from tinycc.backends.c.emitter import node_state_ptrs


def emit(node, m, p):
    m.use_kernel("signal_framing.h")
    fifo, last, counters = node_state_ptrs(m, node)
    m.emit(f"tinycc_signal_stacker({p['channels']}, {p['left']}, {p['size']}, {p['step']}, "
           f"{m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {m.ptr(node.outputs[1])}, "
           f"{fifo}, {last}, {counters});")

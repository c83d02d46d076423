"""C emitter for SignalDelay: the delay lines are the node's kernel state in the persistent state
buffer (core/planner.py kernel_state), zero after NAME_reset() (kernels/reference/signal_state.h)."""
from __future__ import annotations

from tinycc.backends.c.emitter import node_state_ptrs


def emit(node, m, p):
    m.use_kernel("signal_state.h")
    history = node_state_ptrs(m, node)[0] if p["delay_length"] and p["outer"] else "NULL"
    m.emit(f"tinycc_signal_delay({p['outer']}, {p['frame']}, {p['delay_length']}, "
           f"{m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {history});")

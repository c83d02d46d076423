"""C emitter for SignalFramer (int16): the FIFOs, last frames and fill counter are the node's kernel
state in the persistent state buffer (core/planner.py kernel_state), restored by NAME_reset()."""
from __future__ import annotations

from tinycc.backends.c.emitter import node_state_ptrs


def emit(node, m, p):
    m.use_kernel("signal_framing.h")
    fifos, last, counters = node_state_ptrs(m, node)
    m.emit(f"tinycc_signal_framer({p['outer']}, {p['frames']}, {p['frame_size']}, {p['frame_step']}, "
           f"{p['capacity']}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, "
           f"{m.ptr(node.outputs[1])}, {fifos}, {last}, {counters});")

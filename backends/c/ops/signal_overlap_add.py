"""C emitter for SignalOverlapAdd (int16, float32): the overlap buffers are the node's kernel state
in the persistent state buffer (core/planner.py kernel_state), zero after NAME_reset()
(kernels/reference/signal_state.h)."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX, node_state_ptrs


def emit(node, m, p):
    m.use_kernel("signal_state.h")
    buffers, = node_state_ptrs(m, node)
    m.emit(f"tinycc_signal_overlap_add_{SUFFIX[p['dtype']]}({p['outer']}, {p['frames']}, {p['frame_size']}, "
           f"{p['frame_step']}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {buffers});")

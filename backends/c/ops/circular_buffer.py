"""C emitter for CIRCULAR_BUFFER (int8): the history and the countdown are the node's kernel state in
the persistent state buffer (core/planner.py kernel_state), restored by NAME_reset(); the kernel's
result is the valid output (a bool) when the node has one (else cycles_max is 1: always valid)."""
from __future__ import annotations

from tinycc.backends.c.emitter import node_state_ptrs


def emit(node, m, p):
    m.use_kernel("circular_buffer.h")
    history, countdown = node_state_ptrs(m, node)
    call = (f"tinycc_circular_buffer({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {history}, "
            f"{countdown}, {p['slots']}, {p['depth']}, {p['cycles_max']})")
    if p["flag"]:
        m.emit(f"*{m.ptr(node.outputs[1])} = (uint8_t){call};")
    else:
        m.emit(f"(void){call};")

"""C emitter for ASSIGN_VARIABLE: the value copied into the variable (persistent state buffer)."""
from __future__ import annotations

from tinycc.backends.c import subgraphs


def emit(node, m, p):
    value = node.inputs[1]
    m.copy(subgraphs.resource(m, p["key"]), m.ptr(value, const=True), m.g.tensors[value].nbytes)

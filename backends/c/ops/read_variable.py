"""C emitter for READ_VARIABLE: the variable's bytes (persistent state buffer) copied to the output."""
from __future__ import annotations

from tinycc.backends.c import subgraphs


def emit(node, m, p):
    out = node.outputs[0]
    m.copy(m.ptr(out), subgraphs.resource(m, p["key"]), m.g.tensors[out].nbytes)

"""C emitter for IF: the condition picks the branch; the operands are copied into its subgraph's inputs,
its function runs, its outputs are copied out (backends/c/subgraphs.py)."""
from __future__ import annotations

from tinycc.backends.c import subgraphs


def emit(node, m, p):
    branches = []
    for key in ("then", "else"):
        fn, sub = subgraphs.function(m, p[key])
        branches.append((fn, sub))
    m.emit(f"if (*(const uint8_t *){m.ptr(node.inputs[0], const=True)}) {{")
    for k, (fn, sub) in enumerate(branches):
        if k:
            m.emit("} else {")
        subgraphs.move(m, sub, sub.g.inputs, m, node.inputs[1:])
        m.emit(f"{{ int tinycc_s = {fn}(); if (tinycc_s != 0) return tinycc_s; }}")
        subgraphs.move(m, m, node.outputs, sub, sub.g.outputs)
    m.emit("}")

"""C emitter for WHILE: the operator's outputs hold the loop variables; each turn copies them into the
cond subgraph's inputs, stops when its bool is false, else runs the body on them and copies its outputs
back (backends/c/subgraphs.py)."""
from __future__ import annotations

from tinycc.backends.c import subgraphs


def emit(node, m, p):
    cond_fn, cond = subgraphs.function(m, p["cond"])
    body_fn, body = subgraphs.function(m, p["body"])
    subgraphs.move(m, m, node.outputs, m, node.inputs)
    m.emit("for (;;) {")
    subgraphs.move(m, cond, cond.g.inputs, m, node.outputs)
    m.emit(f"{{ int tinycc_s = {cond_fn}(); if (tinycc_s != 0) return tinycc_s; }}")
    m.emit(f"if (!*(const uint8_t *){cond.ptr(cond.g.outputs[0], const=True)}) break;")
    subgraphs.move(m, body, body.g.inputs, m, node.outputs)
    m.emit(f"{{ int tinycc_s = {body_fn}(); if (tinycc_s != 0) return tinycc_s; }}")
    subgraphs.move(m, m, node.outputs, body, body.g.outputs)
    m.emit("}")

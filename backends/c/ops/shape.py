"""C emitter for shape: the input's dimensions, known at compile time, written as constants."""
from __future__ import annotations


def emit(node, m, p):
    y = m.ptr(node.outputs[0])
    for k, d in enumerate(p["shape"]):
        m.emit(f"{y}[{k}] = {int(d)};")

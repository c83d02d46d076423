"""C emitter for reduce_all: the two boxes (ops/_reduce.py) and reduce.h's loop (reduce_all.h)."""
from __future__ import annotations

from tinycc.backends.c.ops._reduce import reduce_struct


def emit(node, m, p):
    r = reduce_struct(node, m, p, "mean.h", "reduce.h", "reduce_all.h")
    m.emit(f"tinycc_reduce_all_b(&{r}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])});")

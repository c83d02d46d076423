"""C emitter for reduce_min: the two boxes (ops/_reduce.py) and reduce.h's comparison kernel."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._reduce import reduce_struct


def emit(node, m, p):
    r = reduce_struct(node, m, p, "mean.h", "reduce.h")
    m.emit(f"tinycc_{node.op}_{SUFFIX[p['dtype']]}(&{r}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.outputs[0])});")

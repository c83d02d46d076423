"""C emitter for mean: the kept and the reduced axes as two boxes over the input (ops/_reduce.py), one
mean.h kernel call."""
from __future__ import annotations

from tinycc.backends.c.ops._reduce import emit_requantised, reduce_struct


def emit(node, m, p):
    r = reduce_struct(node, m, p, "mean.h")
    if p["dtype"] == "float32":
        m.emit(f"tinycc_mean_f32(&{r}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])});")
        return
    emit_requantised(node, m, p, r)

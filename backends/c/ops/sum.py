"""C emitter for sum: mean's two boxes (ops/_reduce.py); integer sums reuse mean.h's requantising kernel
(the multiplier does not fold 1/n in), float32 sums reduce.h's tinycc_sum_f32."""
from __future__ import annotations

from tinycc.backends.c.ops._reduce import emit_requantised, reduce_struct


def emit(node, m, p):
    r = reduce_struct(node, m, p, "mean.h", "reduce.h")
    if p["dtype"] == "float32":
        m.emit(f"tinycc_sum_f32(&{r}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])});")
        return
    emit_requantised(node, m, p, r)

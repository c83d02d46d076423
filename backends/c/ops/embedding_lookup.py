"""C emitter for EMBEDDING_LOOKUP: byte copies of the looked-up rows (gather.h with one batch) or,
int8 -> float32, the hybrid dequantising kernel (kernels/reference/embedding_lookup.h)."""
from __future__ import annotations

from tinycc.backends.c.emitter import c_float


def emit(node, m, p):
    value, lookup = node.inputs
    count = len(p["lookup"])
    if p["hybrid"]:
        m.use_kernel("embedding_lookup.h")
        m.emit(f"tinycc_embedding_lookup_hybrid({m.ptr(value, const=True)}, {m.ptr(lookup, const=True)}, {count}, "
               f"{p['columns']}, {c_float(p['scale'])}, {m.ptr(node.outputs[0])});")
        return
    m.use_kernel("gather.h")
    m.emit(f"tinycc_gather({m.ptr(value, const=True)}, {m.ptr(lookup, const=True)}, {m.ptr(node.outputs[0])}, "
           f"1, 1, {p['rows']}, {count}, {p['columns']}, {p['elem']});")

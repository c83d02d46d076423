"""C emitter for EMBEDDING_LOOKUP: byte copies of the looked-up rows (gather.h with one batch) or,
int8 -> float32, the hybrid dequantising kernel (kernels/reference/embedding_lookup.h). A lookup
computed at run time goes through the checked kernels: a row outside the table makes NAME_invoke
return NAME_ERROR_INDEX_OUT_OF_RANGE (backends/c/status.py) before anything is written, as TFLM
fails the invoke."""
from __future__ import annotations

from tinycc.backends.c import status
from tinycc.backends.c.emitter import c_float


def emit(node, m, p):
    value, lookup = node.inputs
    checked = "_checked" if p["runtime"] else ""
    if p["hybrid"]:
        m.use_kernel("embedding_lookup.h")
        sizes = f"{p['count']}, {p['rows']}" if p["runtime"] else f"{p['count']}"      # checked: against the rows
        call = (f"tinycc_embedding_lookup_hybrid{checked}({m.ptr(value, const=True)}, {m.ptr(lookup, const=True)}, "
                f"{sizes}, {p['columns']}, {c_float(p['scale'])}, {m.ptr(node.outputs[0])})")
    else:
        m.use_kernel("gather.h")
        call = (f"tinycc_gather{checked}({m.ptr(value, const=True)}, {m.ptr(lookup, const=True)}, "
                f"{m.ptr(node.outputs[0])}, 1, 1, {p['rows']}, {p['count']}, {p['columns']}, {p['elem']})")
    if p["runtime"]:
        m.program["status"].add("INDEX_OUT_OF_RANGE")
        m.emit(f"if ({call} != 0) return {status.INDEX_OUT_OF_RANGE};"
               f"   /* {m.prefix.upper()}_ERROR_INDEX_OUT_OF_RANGE */")
    else:
        m.emit(f"{call};")

"""C emitter for gather: row copies at the positions (kernels/gather.h). Positions computed at run time
go through the checked kernel: one outside the axis makes NAME_invoke return
NAME_ERROR_INDEX_OUT_OF_RANGE (backends/c/status.py) before anything is copied, as TFLM fails the invoke."""
from __future__ import annotations

from tinycc.backends.c import status
from tinycc.core.graph import np_dtype


def emit(node, m, p):
    m.use_kernel("gather.h")
    elem = np_dtype(m.g.tensors[node.outputs[0]].dtype).itemsize
    args = (f"{m.ptr(node.inputs[0], const=True)}, {m.ptr(node.inputs[1], const=True)}, "
            f"{m.ptr(node.outputs[0])}, {p['batch']}, {p['outer']}, {p['axis_size']}, {p['coords']}, "
            f"{p['inner']}, {elem}")
    if p.get("runtime"):
        m.program["status"].add("INDEX_OUT_OF_RANGE")
        m.emit(f"if (tinycc_gather_checked({args}) != 0) return {status.INDEX_OUT_OF_RANGE};"
               f"   /* {m.prefix.upper()}_ERROR_INDEX_OUT_OF_RANGE */")
    else:
        m.emit(f"tinycc_gather({args});")

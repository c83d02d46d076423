"""C emitter for DYNAMIC_UPDATE_SLICE: shapes padded to 6 dimensions in a struct; the start indices
(constant or computed) are read and clamped by the kernel (kernels/reference/dynamic_update_slice.h)."""
from __future__ import annotations

from tinycc.core.graph import np_dtype

MAX_DIMS = 6


def emit(node, m, p):
    m.use_kernel("dynamic_update_slice.h")
    pad = MAX_DIMS - len(p["dims"])
    dims, udims = [1] * pad + list(p["dims"]), [1] * pad + list(p["update_dims"])
    s = m.struct("tinycc_dus", f"{node.name}_dus", [dims, udims, pad, np_dtype(p["dtype"]).itemsize])
    operand, update, idx = node.inputs
    i32, i64 = (m.ptr(idx, const=True), "NULL") if p["index_dtype"] == "int32" else ("NULL", m.ptr(idx, const=True))
    m.emit(f"tinycc_dynamic_update_slice(&{s}, {m.ptr(operand, const=True)}, {m.ptr(update, const=True)}, "
           f"{i32}, {i64}, {m.ptr(node.outputs[0])});")

"""C emitter for gather_nd: constant index rows resolved to slice numbers at compile time, then row
copies (kernels/gather.h); index rows computed at run time go through the checked kernel, and one landing
outside the params makes NAME_invoke return NAME_ERROR_INDEX_OUT_OF_RANGE (backends/c/status.py) before
anything is copied, as TFLM fails the invoke."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import status
from tinycc.core.graph import np_dtype


def emit(node, m, p):
    m.use_kernel("gather.h")
    elem = np_dtype(m.g.tensors[node.outputs[0]].dtype).itemsize
    if p.get("runtime"):
        counts = m.const_array(np.array(p["counts"], np.int32), f"{node.name}_counts")
        m.program["status"].add("INDEX_OUT_OF_RANGE")
        m.emit(f"if (tinycc_gather_nd_checked({m.ptr(node.inputs[0], const=True)}, "
               f"{m.ptr(node.inputs[1], const=True)}, {m.ptr(node.outputs[0])}, {p['rows']}, {len(p['counts'])}, "
               f"{counts}, {p['count']}, {p['slice_size']}, {elem}) != 0) return {status.INDEX_OUT_OF_RANGE};"
               f"   /* {m.prefix.upper()}_ERROR_INDEX_OUT_OF_RANGE */")
        return
    slices = m.const_array(p["slices"], f"{node.name}_slices")
    m.emit(f"tinycc_gather({m.ptr(node.inputs[0], const=True)}, {slices}, {m.ptr(node.outputs[0])}, 1, 1, "
           f"{p['count']}, {len(p['slices'])}, {p['slice_size']}, {elem});")

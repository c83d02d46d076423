"""Shared by the pooling emitters (average_pool_2d, max_pool_2d): one call into pooling.h."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import float_range


def emit_pool(kind: str, node, m, p):
    g = m.g
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    a = node.attrs
    n, h, w, c = x.shape
    m.use_kernel("pooling.h")
    shape = m.struct("tinycc_pool_shape", f"{node.name}_shape",
                     [n, h, w, c, y.shape[1], y.shape[2], *a["kernel"], *a["strides"], a["pads"][0], a["pads"][1]])
    dtype = x.dtype
    if dtype == "float32":
        lo, hi = float_range(a["activation"])
    else:
        lo, hi = p["act_min"], p["act_max"]
    fast = ""
    if kind == "average_pool_2d" and dtype == "int8" and a["kernel"][0] * a["kernel"][1] <= 256:
        m.use_kernel("dot_s8.h")             # pooling_fast.h: windows summed in int16 halves (<= 256 elements)
        m.use_kernel("pooling_fast.h")
        fast = "_fast"
        # the 4-channel and per-channel tails compile out when no layer of the model reaches them
        for name, need in (("TINYCC_POOL_ONE_WORD", (c & ~3) % 8 == 4), ("TINYCC_POOL_REST", c % 4 != 0)):
            m.define_max(name, need)
    m.emit(f"tinycc_{kind}_{SUFFIX[dtype]}{fast}(&{shape}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.outputs[0])}, {lo}, {hi});")

"""C emitter for l2_pool_2d: pooling.h's window shape and l2pool.h's float32 kernel."""
from __future__ import annotations

from tinycc.backends.c.ops._conv_common import float_range


def emit(node, m, p):
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    a = node.attrs
    n, h, w, c = x.shape
    m.use_kernel("pooling.h")
    m.use_kernel("l2pool.h")
    m.needs_math = True
    shape = m.struct("tinycc_pool_shape", f"{node.name}_shape",
                     [n, h, w, c, y.shape[1], y.shape[2], *a["kernel"], *a["strides"], a["pads"][0], a["pads"][1]])
    lo, hi = float_range(a["activation"])
    m.emit(f"tinycc_l2_pool_2d_f32(&{shape}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, "
           f"{lo}, {hi});")

"""C emitter for pad: fill the output with the pad value, then copy the input into its interior."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX, c_float
from tinycc.backends.c.ops import _movement as mv


def emit(node, m, p):
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    m.use_kernel("movement.h")
    fill = c_float(p["fill"]) if y.dtype == "float32" else str(int(p["fill"]))
    m.emit(f"tinycc_fill_{SUFFIX[y.dtype]}({y.size}, {m.ptr(node.outputs[0])}, {fill});")
    out_strides = mv.contiguous_strides(y.shape)
    offset = sum(before * s for (before, _), s in zip(node.attrs["paddings"], out_strides))
    b = mv.box(m, node, list(x.shape), mv.contiguous_strides(x.shape), out_strides, dst_offset=offset)
    mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

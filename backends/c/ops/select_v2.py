"""C emitter for select_v2: tinycc_select_{s8,s16,f32} (kernels/select.h) with a three-way
broadcast description."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX


def _strides(shape):
    shape = (1,) * (6 - len(shape)) + tuple(shape)
    st, acc = [0] * 6, 1
    for d in range(5, -1, -1):
        st[d] = acc if shape[d] != 1 else 0
        acc *= shape[d]
    return st


def emit(node, m, p):
    g = m.g
    out = tuple(g.tensors[node.outputs[0]].shape)
    shapes = [tuple(g.tensors[n].shape) for n in node.inputs]
    desc = "NULL"
    if any(s != out for s in shapes):
        dims = list((1,) * (6 - len(out)) + out)
        desc = "&" + m.struct("tinycc_bcast3", f"{node.name}_bcast", [dims, *(_strides(s) for s in shapes)])
    m.use_kernel("select.h")
    c, x, y = (m.ptr(n, const=True) for n in node.inputs)
    m.emit(f"tinycc_select_{SUFFIX[p['dtype']]}({g.tensors[node.outputs[0]].size}, {desc}, {c}, {x}, {y}, "
           f"{m.ptr(node.outputs[0])});")

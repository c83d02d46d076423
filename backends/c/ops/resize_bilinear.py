"""C emitter for resize_bilinear: the per-row and per-column neighbour and fraction tables, one kernel call."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX


def emit(node, m, p):
    n, h, w, ch = m.g.tensors[node.inputs[0]].shape
    oh, ow = node.attrs["size"]
    t = {k: m.const_array(p[k], f"resize_{k}") for k in ("y0", "y1", "dy", "x0", "x1", "dx")}
    m.use_kernel("resize.h")
    m.emit(f"tinycc_resize_bilinear_{SUFFIX[p['dtype']]}({m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.outputs[0])}, {n}, {h}, {w}, {oh}, {ow}, {ch}, {t['y0']}, {t['y1']}, {t['dy']}, "
           f"{t['x0']}, {t['x1']}, {t['dx']});")

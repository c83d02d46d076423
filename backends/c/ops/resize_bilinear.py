"""C emitter for resize_bilinear: the per-row and per-column neighbour and fraction tables, one kernel
call; int8 takes tinycc_resize_bilinear_s8_fast (optimised/resize_fast.h: each output row's two input
rows blended once into the node's scratch, core/ops/resize_bilinear.py scratch_bytes) where
fast_int8 says so and the plan kept that scratch (it drops it where it would raise the arena's peak:
core/planner.py fit_speed_scratch); else the plain kernel."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.core.errors import TinyccError
from tinycc.core.ops.resize_bilinear import fast_int8


def _scratch(node, m) -> str:
    key = m.plan.scratch.get(m.g.index_of(node))
    if key is None:
        raise TinyccError("the memory plan has no scratch buffer for this RESIZE_BILINEAR", node=node.name,
                          op=node.op, hint="plan with tinycc.core.planner, which reserves operators' scratch")
    return f"(int32_t *)(void *)(arena.bytes + {m.plan.offsets[key]})"


def emit(node, m, p):
    n, h, w, ch = m.g.tensors[node.inputs[0]].shape
    oh, ow = node.attrs["size"]
    t = {k: m.const_array(p[k], f"resize_{k}") for k in ("y0", "y1", "dy", "x0", "x1", "dx")}
    m.use_kernel("resize.h")
    args = (f"{m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {n}, {h}, {w}, {oh}, {ow}, {ch}, "
            f"{t['y0']}, {t['y1']}, {t['dy']}, {t['x0']}, {t['x1']}, {t['dx']}")
    if p["dtype"] == "int8" and fast_int8(node, m.g) and m.plan.keeps_speed_scratch(m.g.index_of(node)):
        m.use_kernel("dot_s8.h")
        m.use_kernel("resize_fast.h")
        m.emit(f"tinycc_resize_bilinear_s8_fast({args}, {_scratch(node, m)});")
        return
    m.emit(f"tinycc_resize_bilinear_{SUFFIX[p['dtype']]}({args});")

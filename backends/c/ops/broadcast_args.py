"""C emitter for broadcast_args (kernels/broadcast_args.h)."""
from __future__ import annotations


def emit(node, m, p):
    a, b = (m.g.tensors[n] for n in node.inputs)
    n = m.g.tensors[node.outputs[0]].shape[0]
    m.use_kernel("wrap_s32.h")
    m.use_kernel("broadcast_args.h")
    suffix = "s32" if p["dtype"] == "int32" else "s64"
    m.emit(f"tinycc_broadcast_args_{suffix}({m.ptr(node.inputs[0], const=True)}, {a.shape[0]}, "
           f"{m.ptr(node.inputs[1], const=True)}, {b.shape[0]}, {m.ptr(node.outputs[0])}, {n});")

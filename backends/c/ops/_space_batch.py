"""Shared by the space_to_batch_nd / batch_to_space_nd emitters: kernels/space_batch.h."""
from __future__ import annotations

from tinycc.core.graph import np_dtype
from tinycc.core.ops import _space_batch as sb


def emit(node, m, kernel: str, margins: str, fill: int | None = None):
    (n, h, w, ch), (bh, bw), ((top, _), (left, _)) = sb.geometry(node, m.g, margins)
    out = m.g.tensors[node.outputs[0]].shape
    oh, ow = out[1], (out[2] if len(out) == 4 else 1)
    if kernel == "batch_to_space":
        n //= bh * bw
    m.use_kernel("space_batch.h")
    m.needs_string = True
    elem = np_dtype(m.g.tensors[node.outputs[0]].dtype).itemsize
    m.emit(f"tinycc_{kernel}({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {elem}, {n}, {h}, {w}, "
           f"{ch}, {bh}, {bw}, {top}, {left}, {oh}, {ow}{'' if fill is None else f', {fill}'});")

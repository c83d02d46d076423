"""Constant sharing: constant tensors with the same dtype, shape, bytes and quantisation (scales,
zero points, axis) become one tensor that all their consumers read, so flash holds them once.

Where copies come from: an unrolled recurrent layer whose importer made one weight tensor per
step, a converter that wrote equal tensors with separate buffers, per-step int8 weights quantised
from equal floats. Biases whose int32 scale follows each step's input scale differ and stay apart,
as they must. The surviving tensor is the first in graph order (the first node input that reads
one of the group, nodes in order); graph inputs and outputs, variables (persistent state) and
tensors a node writes are never merged. Subgraphs (IF / WHILE bodies) are left as they are.
"""
from __future__ import annotations

import hashlib

import numpy as np

from tinycc.core.graph import Graph, Tensor, np_dtype
from tinycc.core.passes import Pass


def _key(t: Tensor) -> tuple[object, ...]:
    """What two constants must agree on to be one: dtype, shape, the stored bytes, the quantisation."""
    assert t.data is not None
    data = np.ascontiguousarray(np.asarray(t.data, dtype=np_dtype(t.dtype)))
    q = None if t.quant is None else (np.asarray(t.quant.scale, np.float32).tobytes(),
                                      np.asarray(t.quant.zero_point, np.int64).tobytes(), int(t.quant.axis))
    return t.dtype, tuple(t.shape), hashlib.sha256(data.tobytes()).hexdigest(), data.nbytes, q


def shared(g: Graph) -> dict[str, str]:
    """Constant name -> the name of the equal constant that replaces it (the first in graph order)."""
    written = {o for node in g.nodes for o in node.outputs}
    fixed = set(g.inputs) | set(g.outputs) | written
    first: dict[tuple[object, ...], str] = {}
    replace: dict[str, str] = {}
    for node in g.nodes:
        for name in node.inputs:
            if name is None or name in replace or name in fixed:
                continue
            t = g.tensors[name]
            if not t.is_const or t.variable:
                continue
            survivor = first.setdefault(_key(t), name)
            if survivor != name:
                s = g.tensors[survivor].data
                assert s is not None and t.data is not None
                if np.asarray(s).tobytes() == np.asarray(t.data).tobytes():    # not a digest collision
                    replace[name] = survivor
    return replace


class ShareConstants(Pass):
    """Merge equal constants (see the module docstring); records how many bytes it saved in
    `self.saved_bytes` and `self.merged` (tensors dropped)."""
    name = "share-constants"

    def __init__(self) -> None:
        self.saved_bytes = 0
        self.merged = 0

    def run(self, g: Graph) -> Graph:
        replace = shared(g)
        if not replace:
            return g
        for node in g.nodes:
            node.inputs = [None if n is None else replace.get(n, n) for n in node.inputs]
        self.merged += len(replace)
        self.saved_bytes += sum(g.tensors[n].nbytes for n in replace)
        for name in replace:
            del g.tensors[name]
        return g

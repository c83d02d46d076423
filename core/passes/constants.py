"""Constant folding: an operator whose inputs are all constants is evaluated at compile time.

Its output becomes a constant tensor (flash, not arena) computed by the op's own reference
kernel, so the result is exactly what the operator would have produced at run time. Typical
sources: dequantised weights left by an unfolded QDQ pattern, shape arithmetic in exports.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import ops
from tinycc.core.graph import Graph, np_dtype
from tinycc.core.passes import Pass


class FoldConstants(Pass):
    name = "fold-constants"

    def run(self, g: Graph) -> Graph:
        kept = []
        for node in g.nodes:
            names = [n for n in node.inputs if n is not None]
            if not names or not all(g.tensors[n].is_const for n in names):
                kept.append(node)
                continue
            op = ops.require(node.op)
            params = op.prepare(node, g)
            args = [None if n is None else g.tensors[n].data for n in node.inputs]
            while args and args[-1] is None:
                args.pop()
            for name, value in zip(node.outputs, op.run(node, g, args, params)):
                t = g.tensors[name]
                t.data = np.ascontiguousarray(np.asarray(value).astype(np_dtype(t.dtype)).reshape(t.shape))
        g.nodes = kept
        return g

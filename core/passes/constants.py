"""Constant folding: an operator whose inputs are all constants, or whose output depends only on
its inputs' shapes (the `shape_only` trait: SHAPE), is evaluated at compile time.

Its output becomes a constant tensor (flash, not arena) computed by the op's own reference
kernel, so the result is exactly what the operator would have produced at run time. Typical
sources: dequantised weights left by an unfolded QDQ pattern, shape arithmetic in exports (SHAPE ->
STRIDED_SLICE -> PACK -> a RESHAPE's shape: the whole chain folds, in one pass in graph order).
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
            if not names or ops.trait(node.op, "ordered") or not (
                    ops.trait(node.op, "shape_only") or all(g.tensors[n].is_const for n in names)):
                kept.append(node)
                continue
            op = ops.require(node.op)
            params = op.prepare(node, g)
            args = [None if n is None else g.tensors[n].data for n in node.inputs]
            while args and args[-1] is None:
                args.pop()
            for name, value in zip(node.outputs, op.run(node, g, args, params)):
                t = g.tensors[name]
                # np.array, not np.ascontiguousarray: that makes a scalar (a sliced dimension) 1-D
                t.data = np.array(np.asarray(value).astype(np_dtype(t.dtype)).reshape(t.shape), order="C")
        g.nodes = kept
        return g

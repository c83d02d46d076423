"""Operator fusion: an activation op (trait fusable_activation: RELU, RELU6) right after an op
with a fused-activation slot (trait fused_activation) folds into it.

TFLite's converter does this; ONNX and PyTorch exports keep them apart. Folding saves one
pass over the tensor and, for quantised graphs, one intermediate buffer. A producer whose
output is also read elsewhere, or is a model output, is left alone.
"""
from __future__ import annotations

from tinycc.core import ops
from tinycc.core.graph import Graph
from tinycc.core.passes import Pass


class FuseActivations(Pass):
    name = "fuse-activations"

    def run(self, g: Graph) -> Graph:
        producers = g.producers()
        consumers = g.consumers()
        removed = set()
        for i, node in enumerate(g.nodes):
            if not ops.trait(node.op, "fusable_activation") or i in removed:
                continue
            src = node.input(0)
            p = producers.get(src)
            if p is None or p in removed:
                continue
            prod = g.nodes[p]
            if (not ops.trait(prod.op, "fused_activation") or prod.attrs.get("activation", "none") != "none"
                    or len(consumers.get(src, [])) != 1 or src in g.outputs):
                continue
            a, b = g.tensors[src], g.tensors[node.outputs[0]]
            if a.dtype != "float32" and (a.quant is None or b.quant is None
                                         or (a.quant.s, a.quant.zp) != (b.quant.s, b.quant.zp)):
                continue                      # a quantised RELU that also rescales is not a clamp
            prod.attrs = {**prod.attrs, "activation": node.op}
            prod.outputs = [node.outputs[0]]
            del g.tensors[src]
            removed.add(i)
        g.nodes = [n for k, n in enumerate(g.nodes) if k not in removed]
        return g

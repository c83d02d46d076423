"""Operator fusion: a RELU / RELU6 right after an op with a fused-activation slot folds into it.

TFLite's converter does this; ONNX and PyTorch exports keep them apart. Folding saves one
pass over the tensor and, for quantised graphs, one intermediate buffer. A producer whose
output is also read elsewhere, or is a model output, is left alone.
"""
from __future__ import annotations

from tinycc.core.graph import Graph
from tinycc.core.passes import Pass

FUSABLE = ("conv_2d", "depthwise_conv_2d", "fully_connected", "add", "sub", "mul", "average_pool_2d", "max_pool_2d")
ACTIVATIONS = ("relu", "relu6")


class FuseActivations(Pass):
    name = "fuse-activations"

    def run(self, g: Graph) -> Graph:
        producers = g.producers()
        consumers = g.consumers()
        removed = set()
        for i, node in enumerate(g.nodes):
            if node.op not in ACTIVATIONS or i in removed:
                continue
            src = node.inputs[0]
            p = producers.get(src)
            if p is None or p in removed:
                continue
            prod = g.nodes[p]
            if (prod.op not in FUSABLE or prod.attrs.get("activation", "none") != "none"
                    or len(consumers.get(src, [])) != 1 or src in g.outputs):
                continue
            a, b = g.tensors[src], g.tensors[node.outputs[0]]
            if a.dtype != "float32" and (a.quant.s, a.quant.zp) != (b.quant.s, b.quant.zp):
                continue                      # a quantised RELU that also rescales is not a clamp
            prod.attrs = {**prod.attrs, "activation": node.op}
            prod.outputs = [node.outputs[0]]
            del g.tensors[src]
            removed.add(i)
        g.nodes = [n for k, n in enumerate(g.nodes) if k not in removed]
        return g

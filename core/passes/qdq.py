"""Folds QuantizeLinear/DequantizeLinear ("QDQ") patterns into integer operators.

An ONNX QDQ model imports as float operators between `dequantize` and `quantize` nodes. This
pass rewrites each float operator whose activation inputs all come from `dequantize` of an
integer tensor, whose weights come from `dequantize` of integer constants, and whose only
consumer is a `quantize`, into the integer operator (TFLite semantics, so TF Lite Micro
computes the same). Quantisation-preserving data movement (trait value_preserving: transpose,
reshape, max pooling, slices, padding) is carried over to the integer side first. An operator
the integer kernels refuse (e.g. a softmax output scale other than 1/256) stays float; dead nodes are removed.
"""
from __future__ import annotations

from tinycc.core import ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.ops import dequantize, quantize
from tinycc.core.passes import Pass, remove_dead_nodes


class FoldQDQ(Pass):
    name = "fold-qdq"

    def run(self, g: Graph) -> Graph:
        self.names = g.names()
        changed = True
        while changed:
            changed = self._push_through_preserving(g) | self._fold(g)
        remove_dead_nodes(g)
        return g

    def _dq_source(self, g: Graph, name: str | None, producers: dict[str, int],
                   nodes: list[Node] | None = None) -> str | None:
        """The integer tensor a float tensor was dequantised from, if it was."""
        if name is None or name not in producers:
            return None
        p = (nodes if nodes is not None else g.nodes)[producers[name]]
        if p.op == dequantize.NAME and g.tensors[p.input(0)].dtype in ("int8", "int16", "int32"):
            return p.input(0)
        return None

    def _push_through_preserving(self, g: Graph) -> bool:
        changed = False
        result: list[Node] = []
        for node in g.nodes:
            result.append(node)
            if not ops.trait(node.op, "value_preserving") or g.tensors[node.outputs[0]].dtype != "float32":
                continue
            if node.attrs.get("value") is not None:
                continue                     # a float pad value would need requantising: leave it
            src = self._dq_source(g, node.inputs[0], {o: i for i, n in enumerate(result) for o in n.outputs}, result)
            if src is None:
                continue
            s = g.tensors[src]
            if s.is_const or s.quant is None or s.quant.per_channel:
                continue
            out = node.outputs[0]
            q_out = self.names.fresh(f"{out}/q")
            g.tensors[q_out] = Tensor(q_out, g.tensors[out].shape, s.dtype, s.quant)
            integer = Node(node.name, node.op, [src, *node.inputs[1:]], [q_out], dict(node.attrs))
            try:
                ops.require(node.op).prepare(integer, g)
            except TinyccError:
                del g.tensors[q_out]
                continue
            result[-1] = integer
            result.append(dequantize.node(f"{node.name}/dequantize", q_out, out))
            changed = True
        g.nodes = result
        return changed

    def _fold(self, g: Graph) -> bool:
        producers, consumers = g.producers(), g.consumers()
        changed = False
        for i, node in enumerate(g.nodes):
            if (not node.outputs or node.op == "_dead" or ops.trait(node.op, "converts_dtype")
                    or g.tensors[node.outputs[0]].dtype != "float32"):
                continue
            out = node.outputs[0]
            users = consumers.get(out, [])
            if len(users) != 1 or out in g.outputs or g.nodes[users[0]].op != quantize.NAME:
                continue
            q = g.nodes[users[0]]
            q_out = q.outputs[0]
            if g.tensors[q_out].dtype not in ("int8", "int16"):
                continue
            new_inputs: list[str | None] = []
            for k, name in enumerate(node.inputs):
                src = self._dq_source(g, name, producers)
                if name is None:
                    new_inputs.append(None)
                elif src is None:
                    break
                elif g.tensors[src].is_const != (ops.trait(node.op, "weighted") and k >= 1):
                    break
                else:
                    new_inputs.append(src)
            else:
                integer = Node(node.name, node.op, new_inputs, [q_out], dict(node.attrs))
                try:
                    ops.require(node.op).infer(integer, g)
                    ops.require(node.op).prepare(integer, g)
                except TinyccError:
                    continue
                g.nodes[i] = integer
                g.nodes[users[0]] = Node(q.name, "_dead", [], [])
                changed = True
        g.nodes = [n for n in g.nodes if n.op != "_dead"]
        return changed

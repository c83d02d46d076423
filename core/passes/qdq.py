"""Folds QuantizeLinear/DequantizeLinear ("QDQ") patterns into integer operators.

An ONNX QDQ model imports as float operators between `dequantize` and `quantize` nodes. This
pass rewrites each float operator whose activation inputs all come from `dequantize` of an
integer tensor, whose weights come from `dequantize` of integer constants, and whose only
consumer is a `quantize`, into the integer operator (TFLite semantics, so TF Lite Micro
computes the same). Quantisation-preserving data movement (trait value_preserving: transpose,
reshape, max pooling, slices, padding) is carried over to the integer side first. A float bias
becomes TFLite's int32 bias; CONCATENATION operands are requantised to the output's quantisation;
QUANTIZE(DEQUANTIZE(q)) of q's own quantisation is q. An operator the integer kernels refuse (e.g. a
softmax output scale other than 1/256) or whose weights have nonzero zero points (TFLite's weights
are symmetric) stays float; dead nodes are removed.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.ops import dequantize, quantize
from tinycc.core.passes import Pass, remove_dead_nodes


def _nonzero_zero_point(t: Tensor) -> bool:
    return t.quant is not None and bool(np.any(t.quant.zero_point != 0))


class FoldQDQ(Pass):
    name = "fold-qdq"

    def run(self, g: Graph) -> Graph:
        self.names = g.names()
        changed = True
        while changed:
            changed = (self._push_through_preserving(g) | self._requantize_common(g) | self._fold(g)
                       | self._drop_round_trips(g))
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
                elif src is None and k == 2 and ops.trait(node.op, "weighted") and len(new_inputs) == 2 and \
                        g.tensors[name].is_const and g.tensors[name].dtype == "float32":
                    bias = self._int32_bias(g, name, new_inputs[0], new_inputs[1])
                    if bias is None:
                        break
                    new_inputs.append(bias)
                elif src is None:
                    break
                elif g.tensors[src].is_const != (ops.trait(node.op, "weighted") and k >= 1):
                    break
                elif k == 1 and ops.trait(node.op, "weighted") and _nonzero_zero_point(g.tensors[src]):
                    break        # TFLite's int8 kernels take symmetric weights only: the layer stays float
                else:
                    new_inputs.append(src)
            else:
                integer = Node(node.name, node.op, new_inputs, [q_out], dict(node.attrs))
                try:
                    ops.require(node.op).infer(integer, g)
                    ops.require(node.op).prepare(integer, g)
                except TinyccError:
                    for made in new_inputs[2:3]:           # an int32 bias made for this attempt
                        if made is not None and made not in node.inputs:
                            del g.tensors[made]
                    continue
                g.nodes[i] = integer
                g.nodes[users[0]] = Node(q.name, "_dead", [], [])
                changed = True
        g.nodes = [n for n in g.nodes if n.op != "_dead"]
        return changed

    def _requantize_common(self, g: Graph) -> bool:
        """An operator whose int8 kernel needs one quantisation on all operands (trait common_quant:
        CONCATENATION) between dequantisations of differently quantised tensors and a QUANTIZE: each
        operand is requantised (int8 QUANTIZE) to the output's quantisation first, so it can fold."""
        producers, consumers = g.producers(), g.consumers()
        result: list[Node] = []
        changed = False
        for node in g.nodes:
            out = node.outputs[0] if node.outputs else ""
            users = consumers.get(out, [])
            if (not ops.trait(node.op, "common_quant") or g.tensors[out].dtype != "float32" or len(users) != 1
                    or out in g.outputs or g.nodes[users[0]].op != quantize.NAME):
                result.append(node)
                continue
            q = g.tensors[g.nodes[users[0]].outputs[0]]
            found = [self._dq_source(g, n, producers) for n in node.inputs]
            sources = [s for s in found if s is not None]
            if q.quant is None or q.quant.per_channel or len(sources) != len(found) or any(
                    g.tensors[s].is_const or g.tensors[s].dtype != q.dtype for s in sources):
                result.append(node)
                continue
            inputs = list(node.inputs)
            for k, src in enumerate(sources):
                t = g.tensors[src]
                if t.quant is not None and t.quant.zp == q.quant.zp and \
                        np.float32(t.quant.s) == np.float32(q.quant.s):
                    continue
                req = self.names.fresh(f"{src}/requantized")
                real = self.names.fresh(f"{req}/dequantized")
                g.tensors[req] = Tensor(req, t.shape, q.dtype, q.quant)
                g.tensors[real] = Tensor(real, t.shape, "float32")
                result.append(quantize.node(f"{node.name}/requantize{k}", src, req))
                result.append(dequantize.node(f"{node.name}/requantize{k}/dequantize", req, real))
                inputs[k] = real
                changed = True
            node.inputs = inputs
            result.append(node)
        g.nodes = result
        return changed

    def _drop_round_trips(self, g: Graph) -> bool:
        """QUANTIZE(DEQUANTIZE(q)) to q's own dtype and quantisation is q: later readers read q."""
        producers = g.producers()
        rename: dict[str, str] = {}
        for node in g.nodes:
            if node.op != quantize.NAME or node.outputs[0] in g.outputs:
                continue
            src = self._dq_source(g, node.inputs[0], producers)
            if src is None:
                continue
            a, b = g.tensors[src], g.tensors[node.outputs[0]]
            if a.dtype == b.dtype and a.quant is not None and b.quant is not None and not a.quant.per_channel and \
                    not b.quant.per_channel and a.quant.zp == b.quant.zp and \
                    np.float32(a.quant.s) == np.float32(b.quant.s):
                rename[node.outputs[0]] = src
        if not rename:
            return False
        for node in g.nodes:
            node.inputs = [rename.get(n, n) if n is not None else None for n in node.inputs]
        g.nodes = [n for n in g.nodes if not (n.op == quantize.NAME and n.outputs[0] in rename)]
        return True

    def _int32_bias(self, g: Graph, bias: str, x: str | None, w: str | None) -> str | None:
        """A float bias (PyTorch's PT2E keeps biases float) as TFLite's int32 bias: scale input scale
        x weight scale, zero point 0, rounded half away from zero (as TFLite's converter does)."""
        from tinycc.core.passes.quantize import quantize_bias
        if x is None or w is None:
            return None
        xt, wt, bt = g.tensors[x], g.tensors[w], g.tensors[bias]
        if xt.dtype != "int8" or wt.dtype != "int8" or xt.quant is None or wt.quant is None or bt.data is None:
            return None
        if bt.data.ndim != 1 or wt.quant.scale.size not in (1, bt.data.size) or \
                np.any(wt.quant.zero_point != 0) or not np.all(np.isfinite(bt.data)):
            return None
        scale = (np.float32(xt.quant.s) * wt.quant.scale.astype(np.float32)).astype(np.float32)
        if np.any(scale <= 0) or np.any(np.abs(bt.data.astype(np.float64)) / scale >= 2.0 ** 31):
            return None                   # beyond int32: the layer stays float
        q, quant = quantize_bias(bt.data, xt.quant.s, wt.quant.scale)
        name = self.names.fresh(f"{bias}/int32")
        g.tensors[name] = Tensor(name, bt.shape, "int32", quant, q)
        return name

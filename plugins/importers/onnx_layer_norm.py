"""The layer norm older exporters decompose (torch.onnx.export before opset 17), recognised and
rewritten into one LayerNormalization node before the graph is converted.

The pattern, over x and trailing axes A (each intermediate read only inside the pattern):
    m = ReduceMean(x, A);  d = Sub(x, m);  p = Pow(d, 2) or Mul(d, d);  v = ReduceMean(p, A)
    s = Sqrt(Add(v, eps));  n = Div(d, s);  y = Mul(n, scale) [; y = Add(y, bias)]
with eps, scale and bias constants. Anything else is left as it is (its operators are then
converted one by one, or refused as unsupported).
"""
from __future__ import annotations

import numpy as np


class _View:
    """Constants (initializers and Constant nodes), readers and ranks of an ONNX graph."""

    def __init__(self, graph, nodes, numpy_helper):
        self.const = {t.name: t for t in graph.initializer}
        self.nph = numpy_helper
        self.made: dict[str, object] = {}
        self.readers: dict[str, list] = {}
        for n in nodes:
            for o in n.output:
                self.made[o] = n
            for i in n.input:
                self.readers.setdefault(i, []).append(n)
        self.outputs = {o.name for o in graph.output}
        self.ranks = {vi.name: len(vi.type.tensor_type.shape.dim)
                      for vi in [*graph.input, *graph.value_info, *graph.output] if vi.type.HasField("tensor_type")}

    def value(self, name, depth=0):
        """A constant's value as float64, or None."""
        if depth > 8:
            return None
        try:
            if name in self.const:
                return self.nph.to_array(self.const[name]).astype(np.float64)
            node = self.made.get(name)
            if node is not None and node.op_type == "Identity" and len(node.input) == 1 and node.input[0] != name:
                return self.value(node.input[0], depth + 1)   # torch shares equal initializers through Identity
            if node is not None and node.op_type == "Constant" and not node.input:
                for a in node.attribute:
                    if a.name == "value" and a.type == a.TENSOR:
                        return self.nph.to_array(a.t).astype(np.float64)
        except Exception:        # malformed: left for the importer to refuse with its own message
            return None
        return None

    def only_reader(self, name, op_type, count=1):
        """The one node reading `name` (`count` times), if it is of `op_type` and `name` is internal."""
        readers = self.readers.get(name, [])
        if name in self.outputs or not readers or any(r is not readers[0] for r in readers):
            return None
        node = readers[0]
        if node.op_type != op_type or list(node.input).count(name) != count or len(node.output) != 1:
            return None
        return node

    def other(self, node, name):
        """The operand of binary `node` that is not `name`."""
        if len(node.input) != 2:
            return None
        return node.input[1] if node.input[0] == name else node.input[0]


def _attr(node, key, default):
    for a in node.attribute:
        if a.name == key:
            from onnx import helper
            return helper.get_attribute_value(a)
    return default


def _axes(view, node):
    """ReduceMean's axes as ints, or None when absent or not integers (a malformed file is then no
    layer norm here; the ReduceMean's own conversion reports it)."""
    if len(node.input) > 1 and node.input[1]:
        v = view.value(node.input[1])
        values = None if v is None or v.dtype.kind not in "iu" else v.reshape(-1).tolist()
    else:
        values = _attr(node, "axes", None)
    if not isinstance(values, (list, tuple)) or not all(isinstance(a, int) for a in values):
        return None
    return [int(a) for a in values]


def _trailing_axis(view, node, x):
    """The first axis of ReduceMean `node` over x when its axes are trailing (keepdims) ones, else None."""
    rank = view.ranks.get(x)
    axes = _axes(view, node)
    if rank is None or not axes or _attr(node, "keepdims", 1) != 1 or \
            any(not -rank <= a < rank for a in axes):
        return None
    axes = sorted(a % rank for a in axes)
    return axes[0] if axes == list(range(axes[0], rank)) else None


def _match(view, mean1):
    x = mean1.input[0] if mean1.input else ""
    axis = _trailing_axis(view, mean1, x)
    if axis is None:
        return None
    sub = view.only_reader(mean1.output[0], "Sub")
    if sub is None or list(sub.input) != [x, mean1.output[0]]:
        return None
    d = sub.output[0]
    readers = list({id(r): r for r in view.readers.get(d, [])}.values())
    if d in view.outputs or len(readers) != 2:
        return None
    square = next((r for r in readers if r.op_type in ("Pow", "Mul")), None)
    div = next((r for r in readers if r.op_type == "Div"), None)
    if square is None or div is None or list(div.input) != [d, div.input[1]]:
        return None
    if square.op_type == "Pow":
        exponent = view.value(square.input[1]) if len(square.input) == 2 and square.input[0] == d else None
        if exponent is None or exponent.size != 1 or float(exponent.reshape(-1)[0]) != 2.0:
            return None
    elif list(square.input) != [d, d]:
        return None
    mean2 = view.only_reader(square.output[0], "ReduceMean")
    if mean2 is None or _trailing_axis(view, mean2, square.output[0]) != axis:
        return None
    add = view.only_reader(mean2.output[0], "Add")
    eps = None if add is None else view.value(view.other(add, mean2.output[0]) or "")
    if eps is None or eps.size != 1:
        return None
    sqrt = view.only_reader(add.output[0], "Sqrt")
    if sqrt is None or view.only_reader(sqrt.output[0], "Div") is not div:
        return None
    mul = view.only_reader(div.output[0], "Mul")
    scale_name = None if mul is None else view.other(mul, div.output[0])
    if scale_name is None or view.value(scale_name) is None:
        return None
    nodes = [mean1, sub, square, mean2, add, sqrt, div, mul]
    bias_name = ""
    bias = view.only_reader(mul.output[0], "Add")
    if bias is not None:
        bias_name = view.other(bias, mul.output[0]) or ""
        if bias_name and view.value(bias_name) is not None:
            nodes.append(bias)
        else:
            bias_name = ""
    return nodes, x, scale_name, bias_name, axis, float(eps.reshape(-1)[0])


def fuse_decomposed_layer_norms(model) -> int:
    """Rewrite each decomposed layer norm of `model` (in place) into LayerNormalization; the count."""
    from onnx import helper, numpy_helper
    graph = model.graph
    nodes_list = list(graph.node)             # one wrapper per node, alive throughout: ids are stable
    view = _View(graph, nodes_list, numpy_helper)
    replaced: dict[int, object] = {}          # index of a pattern's last node -> the LayerNormalization
    dropped: set[int] = set()
    index = {id(n): k for k, n in enumerate(nodes_list)}
    for node in nodes_list:
        if node.op_type != "ReduceMean" or index[id(node)] in dropped:
            continue
        found = _match(view, node)
        if found is None:
            continue
        nodes, x, scale, bias, axis, eps = found
        ks = [index[id(n)] for n in nodes]
        if any(k in dropped for k in ks):
            continue
        dropped.update(ks)
        name = (nodes[0].name or nodes[0].output[0]).rsplit("/", 1)[0] + "/LayerNormalization"
        replaced[max(ks)] = helper.make_node("LayerNormalization", [x, scale] + ([bias] if bias else []),
                                             [nodes[-1].output[0]], name=name, axis=axis, epsilon=eps)
    if not replaced:
        return 0
    kept = []
    for k, n in enumerate(nodes_list):
        if k in replaced:
            kept.append(replaced[k])
        elif k not in dropped:
            copy = type(n)()
            copy.CopyFrom(n)           # detached from the field cleared below
            kept.append(copy)
    del graph.node[:]
    graph.node.extend(kept)
    return len(replaced)

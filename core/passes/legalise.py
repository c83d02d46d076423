"""Legalisation for a backend's declared limits: a node with more inputs than the backend's kernel
for its operator takes (core/backend.py `input_limits`; TF Lite Micro's CONCATENATION takes at most
10, kMaxInputNum) becomes a tree of nodes of the same operator and attributes, when the operator
allows it (trait splits_inputs); otherwise the compile is refused with the limit named.

The tree merges consecutive runs of inputs into intermediate nodes until the node keeps no more
inputs than the limit; the runs are as short as that allows (a 12-input node merges its first 3
inputs, a 25-input node a run of 10 and a run of 7), so few bytes are moved twice. Intermediates
carry the output's element type and quantisation: a CONCATENATION's quantised inputs share the
output's scale and zero point (core/ops/concatenation.py; TF Lite Micro copies the bytes), so
every level copies bytes and the result is bit-exact. Subgraphs of a control-flow model are
legalised alike. With no limits declared (the c backend) the graph is returned as it is.
"""
from __future__ import annotations

import copy

from tinycc.core import ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, NameSpace, Node, Tensor
from tinycc.core.passes import Pass


def runs(count: int, limit: int) -> list[tuple[int, int]]:
    """The merges, in order, that bring `count` items down to at most `limit` (>= 2): (start, length)
    of a run of consecutive items, indexed in the list as it is after the merges before it."""
    if limit < 2:
        raise ValueError(f"an input limit of {limit} cannot be met by a tree")
    merges: list[tuple[int, int]] = []
    p = 0
    while count > limit:
        m = min(limit, count - limit + 1, count - p)
        if m < 2:                       # past the end of this level: merge the merged ones next
            p = 0
            continue
        merges.append((p, m))
        count -= m - 1
        p += 1
    return merges


def split_node(g: Graph, node: Node, limit: int, taken: NameSpace) -> list[Node]:
    """`node` as a tree of nodes of at most `limit` inputs each (the last is `node` itself, writing
    its output): intermediates have the output's dtype and quantisation, their shapes left to
    validation's inference (the graph is validated after a pass)."""
    out = g.tensors[node.outputs[0]]
    items = list(node.inputs)
    made: list[Node] = []
    for start, length in runs(len(items), limit):
        group = items[start:start + length]
        name = taken.fresh(f"{node.outputs[0]}/part")
        g.tensors[name] = Tensor(name, (), out.dtype, copy.deepcopy(out.quant))
        made.append(Node(taken.fresh(f"{node.name}/part"), node.op, group, [name], dict(node.attrs)))
        items[start:start + length] = [name]
    node.inputs = items
    return [*made, node]


class SplitWideInputs(Pass):
    """Nodes over the backend's input limit (context.input_limits: operator -> most inputs) split
    into trees (trait splits_inputs) or refused."""
    name = "split-wide-inputs"

    def __init__(self, limits: dict[str, int] | None = None):
        self.limits = limits

    def run(self, g: Graph) -> Graph:
        limits = self.limits if self.limits is not None else (self.context.input_limits if self.context else {})
        if not limits:
            return g
        for h in [g, *g.subgraphs[1:]]:
            _legalise(h, limits)
        return g


def _legalise(g: Graph, limits: dict[str, int]) -> None:
    if not any(node.op in limits and len(node.inputs) > limits[node.op] for node in g.nodes):
        return
    taken = g.names()
    nodes: list[Node] = []
    for node in g.nodes:
        limit = limits.get(node.op)
        if limit is None or len(node.inputs) <= limit:
            nodes.append(node)
            continue
        if not ops.trait(node.op, "splits_inputs"):
            raise TinyccError(f"{len(node.inputs)} inputs, and the backend's kernel for {node.op} takes at most "
                              f"{limit}", file=g.source, node=node.name, op=node.op,
                              hint="use a backend without this limit (c)")
        nodes.extend(split_node(g, node, limit, taken))
    g.nodes = nodes
    g.inplace = g.slices = None           # decisions of a graph that no longer exists


def legalise(g: Graph, limits: dict[str, int]) -> Graph:
    """g split for `limits` (operator -> most inputs), validated (in place: g itself is returned)."""
    from tinycc.core.validate import validate
    return validate(SplitWideInputs(limits).run(g)) if limits else g

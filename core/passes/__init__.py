"""Graph passes: small objects with `run(graph) -> graph`, composed in a `Sequential`.

Each pass does one job and can be tested alone (TVM's pass style). A pass may return a new
graph or modify and return the one it was given; either way the result is validated.
"""
from __future__ import annotations

from tinycc.core.graph import Graph
from tinycc.core.validate import validate


class Pass:
    name = "pass"

    def run(self, g: Graph) -> Graph:  # pragma: no cover - interface
        raise NotImplementedError


class Sequential(Pass):
    """Runs passes in order, validating the graph after each."""
    name = "sequential"

    def __init__(self, *passes: Pass):
        self.passes = passes

    def run(self, g: Graph) -> Graph:
        for p in self.passes:
            g = validate(p.run(g))
        return g


def remove_dead_nodes(g: Graph) -> None:
    """Drop nodes whose outputs nothing reads (and the tensors no node or graph edge uses)."""
    while True:
        used = {n for node in g.nodes for n in node.inputs if n is not None} | set(g.outputs)
        keep = [node for node in g.nodes if any(o in used for o in node.outputs)]
        if len(keep) == len(g.nodes):
            break
        g.nodes = keep
    used = {n for node in g.nodes for n in [*node.inputs, *node.outputs] if n is not None}
    for name in [n for n in g.tensors if n not in used and n not in g.inputs and n not in g.outputs]:
        del g.tensors[name]

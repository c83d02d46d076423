"""Graph passes: small objects with `run(graph) -> graph`, composed in a `Sequential`.

Each pass does one job and can be tested alone (TVM's pass style). A pass may return a new
graph or modify and return the one it was given; either way the result is validated. A pass
that depends on the compile (the backend's planner options, the target) reads its
`PassContext`, which a `Sequential` given one hands to each of its passes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tinycc.core.graph import Graph
from tinycc.core.validate import validate


@dataclass
class PassContext:
    """What passes may know of the compile: its `options`, the `target` board (or None) and the
    backend's planner options (`plan_options`, core/backend.py): the arena `arena(g)` measures."""
    options: dict = field(default_factory=dict)
    target: str | None = None
    plan_options: dict = field(default_factory=dict)

    def arena(self, g: Graph) -> int:
        """The arena bytes of g's plan with the backend's options, in g's current node order."""
        from tinycc.core import planner
        return planner.plan(g, **{**self.plan_options, "schedule": False}).arena_bytes


class Pass:
    name = "pass"
    context: PassContext | None = None

    def run(self, g: Graph) -> Graph:  # pragma: no cover - interface
        raise NotImplementedError


class Sequential(Pass):
    """Runs passes in order, validating the graph after each; with a `context`, each pass whose
    own context is unset gets it."""
    name = "sequential"

    def __init__(self, *passes: Pass, context: PassContext | None = None):
        self.passes = passes
        self.context = context

    def run(self, g: Graph) -> Graph:
        for p in self.passes:
            if self.context is not None and p.context is None:
                p.context = self.context
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

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

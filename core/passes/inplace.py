"""The in-place pass: which operators write their output over an input that dies at them
(core/inplace.py's decision), recorded as `g.inplace` for the planner to place."""
from __future__ import annotations

from tinycc.core import inplace
from tinycc.core.graph import Graph
from tinycc.core.passes import Pass, PassContext


class InPlace(Pass):
    """Records `g.inplace`: the in-place pairs (core/inplace.InPlace) the plan takes, when the
    backend's kernels honour them (the context's plan_options["inplace"]): those whose input dies
    at their node, kept only when they make the arena (with the backend's scratch and I/O
    placement) smaller; the backend's own aliasing rules (the context's in_place) where it gives
    them. Without the option, None: nothing decided, nothing shared. Run it after
    the last pass that reorders or rewrites nodes (the pairs name node indices)."""
    name = "inplace"

    def __init__(self, context: PassContext | None = None) -> None:
        if context is not None:
            self.context = context

    def run(self, g: Graph) -> Graph:
        ctx = self.context
        if ctx is None or not ctx.plan_options.get("inplace"):
            g.inplace = None
            return g
        g.inplace = inplace.decide(g, ctx.scratch(g), ctx.io_in_arena, ctx.in_place)
        return g

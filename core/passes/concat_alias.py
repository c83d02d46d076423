"""The concat-slices pass: which concatenation inputs are planned straight into their slot of the
output (core/concat_alias.py's decision), recorded as `g.slices` for the planner to place."""
from __future__ import annotations

from tinycc.core import concat_alias, inplace
from tinycc.core.graph import Graph
from tinycc.core.passes import Pass, PassContext


class ConcatAlias(Pass):
    """Records `g.slices` (core/concat_alias.Slice) when the backend's kernels honour them (the
    context's plan_options["concat_alias"]); None without the option. Runs after the in-place pass
    (core/passes/inplace.py): slots are tried on top of every in-place candidate and on their own,
    and kept unless the arena gets larger, so the pass may also set `g.inplace` to the pairs its
    slices were planned with."""
    name = "concat-alias"

    def __init__(self, context: PassContext | None = None) -> None:
        if context is not None:
            self.context = context

    def run(self, g: Graph) -> Graph:
        ctx = self.context
        if ctx is None or not ctx.plan_options.get("concat_alias"):
            g.slices = None
            return g
        scratch = ctx.scratch(g)
        candidate_pairs = inplace.pairs(g, ctx.io_in_arena, ctx.in_place) if ctx.plan_options.get("inplace") else []
        pairs, g.slices = concat_alias.decide(g, g.inplace or [], candidate_pairs, scratch, ctx.io_in_arena)
        if pairs or g.inplace is not None:
            g.inplace = pairs
        return g

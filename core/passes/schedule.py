"""The scheduling pass (core/schedule.py's search, applied as a pass of the compile pipeline): the
node order with the smallest arena for the backend's planner options, chosen before the plan
instead of inside it."""
from __future__ import annotations

from tinycc.core.graph import Graph
from tinycc.core.passes import Pass, PassContext
from tinycc.core.schedule import reorder


class Schedule(Pass):
    """The scheduling pass: g.nodes reordered to the topological order whose plan (the context's
    planner options) has the smallest arena, when the backend's kernels allow it
    (plan_options["schedule"]) and no earlier pass fixed the order (g.metadata.keep_order:
    patch bands run band by band, as written)."""
    name = "schedule"

    def __init__(self, context: PassContext | None = None) -> None:
        if context is not None:
            self.context = context

    def run(self, g: Graph) -> Graph:
        ctx = self.context
        if ctx is None or not ctx.plan_options.get("schedule") or g.metadata.keep_order:
            return g
        reorder(g, lambda: ctx.arena(g))
        return g

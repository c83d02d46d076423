"""The memory passes, last in the compile pipeline: the node order (core/passes/schedule.py), the
in-place pairs (inplace.py) and the concat slices (concat_alias.py), each recorded on the graph;
then the planner (core/planner.py) only places. `plan` runs them and places in one call."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinycc.core import planner
from tinycc.core.graph import Graph, Node
from tinycc.core.passes import PassContext, Sequential
from tinycc.core.passes.concat_alias import ConcatAlias
from tinycc.core.passes.inplace import InPlace
from tinycc.core.passes.schedule import Schedule


def memory_passes(context: PassContext) -> Sequential:
    """Schedule, InPlace, ConcatAlias with `context`; they reorder topologically and record
    decisions, changing no tensor or operator, so the graph is not validated again."""
    return Sequential(Schedule(), InPlace(), ConcatAlias(), context=context, validating=False)


def plan_in(g: Graph, context: PassContext) -> planner.MemoryPlan:
    """Run the memory passes with `context` on g (in place: g's order and decisions change) and
    place its arena with the context's scratch and I/O placement (speed-only scratch that would raise
    the peak dropped, unless the options' `speed_scratch` is "keep": core/planner.py)."""
    g = memory_passes(context).run(g)
    return planner.plan(g, scratch=context.scratch(g), io_in_arena=context.io_in_arena,
                        speed_scratch=context.options.get("speed_scratch"))


def plan(g: Graph, io_in_arena: bool = False, scratch_bytes: Callable[[Node, Graph], int] | None = None,
         speed_scratch: str | None = None, in_place: Callable[[Node, Graph], Any] | None = None,
         **plan_options: Any) -> planner.MemoryPlan:
    """`plan_in` with a context of these constraints (plan_options: inplace, schedule,
    concat_alias, as a backend declares them; `in_place`: its kernels' own aliasing rules) and
    `speed_scratch` policy ("fit", "keep")."""
    options = {} if speed_scratch is None else {"speed_scratch": speed_scratch}
    return plan_in(g, PassContext(options=options, plan_options=plan_options, io_in_arena=io_in_arena,
                                  scratch_bytes=scratch_bytes, in_place=in_place))

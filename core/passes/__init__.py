"""Graph passes: small objects with `run(graph) -> graph`, composed in a `Sequential`.

Each pass does one job and can be tested alone (TVM's pass style). A pass may return a new
graph or modify and return the one it was given; either way the result is validated. A pass
that depends on the compile (the backend's plan constraints, the target) reads its
`PassContext`, which a `Sequential` given one hands to each of its passes. The memory passes
(core/passes/memory.py: schedule, in-place, concat slices) decide what the planner places.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

if TYPE_CHECKING:
    from tinycc.core.concat_alias import Slice


@dataclass
class PassContext:
    """What passes may know of the compile: its `options`, the `target` board (or None) and the
    backend's plan constraints (core/backend.py): `plan_options` (the memory passes it honours:
    `inplace`, `schedule`, `concat_alias`), `io_in_arena` (inputs and outputs in the arena) and
    `scratch_bytes(node, g)` (the scratch its kernels need in the arena), or None; `input_limits`
    (operator -> the most inputs its kernel takes: core/passes/legalise.py); `in_place(node, g)`
    (its kernels' own aliasing rule for a node, core/inplace.Overlap, or None: the operator's)."""
    options: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    plan_options: dict[str, Any] = field(default_factory=dict)
    io_in_arena: bool = False
    scratch_bytes: Callable[[Node, Graph], int] | None = None
    input_limits: dict[str, int] = field(default_factory=dict)
    in_place: Callable[[Node, Graph], Any] | None = None

    def scratch(self, g: Graph) -> dict[int, int] | None:
        """Node index -> the scratch bytes the backend's kernel needs, in g's current order."""
        if self.scratch_bytes is None:
            return None
        return {i: self.scratch_bytes(node, g) for i, node in enumerate(g.nodes)}

    def arena(self, g: Graph) -> int:
        """The arena bytes of g's plan with the backend's in-place pairs and concat slices, in g's
        current node order (the measure of the scheduling and patch searches: no scratch, I/O in the
        caller's buffers). Records nothing on g."""
        from tinycc.core import concat_alias, inplace, planner
        pairs = inplace.decide(g, rule=self.in_place) if self.plan_options.get("inplace") else []
        slices: list[Slice] = []
        if self.plan_options.get("concat_alias"):
            candidates = inplace.pairs(g, rule=self.in_place) if self.plan_options.get("inplace") else []
            pairs, slices = concat_alias.decide(g, pairs, candidates)
        return planner.place(g, None, False, pairs, slices).arena_bytes


class Pass:
    name = "pass"
    context: PassContext | None = None

    def run(self, g: Graph) -> Graph:  # pragma: no cover - interface
        raise NotImplementedError


class Sequential(Pass):
    """Runs passes in order, validating the graph after each (unless `validating` is False: passes
    that change no tensor or operator, only the order and the memory decisions); with a `context`,
    each pass whose own context is unset gets it."""
    name = "sequential"

    def __init__(self, *passes: Pass, context: PassContext | None = None, validating: bool = True):
        self.passes = passes
        self.context = context
        self.validating = validating

    def run(self, g: Graph) -> Graph:
        for p in self.passes:
            if self.context is not None and p.context is None:
                p.context = self.context
            g = p.run(g)
            if self.validating:
                g = validate(g)
        return g


def remove_dead_nodes(g: Graph) -> None:
    """Drop nodes whose outputs nothing reads (and the tensors no node or graph edge uses)."""
    while True:
        used = {n for node in g.nodes for n in node.inputs if n is not None} | set(g.outputs)
        keep = [node for node in g.nodes if any(o in used for o in node.outputs) or ops.trait(node.op, "ordered")]
        if len(keep) == len(g.nodes):
            break
        g.nodes = keep
    used = {n for node in g.nodes for n in [*node.inputs, *node.outputs] if n is not None}
    for name in [n for n in g.tensors if n not in used and n not in g.inputs and n not in g.outputs]:
        del g.tensors[name]

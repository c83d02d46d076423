"""Static memory plan: lifetimes and offsets of every activation in one arena.

Model inputs and outputs live in the caller's buffers (the `c` backend's interface passes
them in), so the arena holds intermediates only. View ops (reshape) alias their input's
buffer. Placement is first-fit in a few orders (largest first, longest-lived first, first
use); the smallest arena wins. The plan also reports the lower bound any placement without
in-place tricks must reach: the largest set of tensors alive at one operator.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tinycc.core.graph import Graph

ALIGN = 16
VIEW_OPS = ("reshape",)


def align(n: int, a: int = ALIGN) -> int:
    return (n + a - 1) // a * a


@dataclass
class Buffer:
    name: str                 # the first tensor of the buffer (others alias it)
    size: int
    first: int                # node index of definition
    last: int                 # node index of last use
    offset: int = -1


@dataclass
class MemoryPlan:
    arena_bytes: int
    bound_bytes: int
    offsets: dict[str, int]            # arena tensors (and scratch "<node>#scratch") -> offset
    external: set[str]                 # tensors held in caller buffers (model inputs/outputs)
    aliases: dict[str, str]            # tensor -> tensor whose storage it shares
    buffers: list[Buffer] = field(default_factory=list)
    strategy: str = ""
    live_bytes: list[int] = field(default_factory=list)   # per node: bytes alive in the arena

    def storage(self, name: str) -> str:
        while name in self.aliases:
            name = self.aliases[name]
        return name


def _aliases(g: Graph, external: set[str]) -> dict[str, str]:
    aliases = {}
    for node in g.nodes:
        if node.op in VIEW_OPS:
            src, dst = node.inputs[0], node.outputs[0]
            if src in g.tensors and not g.tensors[src].is_const and src not in external and dst not in external:
                aliases[dst] = src
    return aliases


def _place(buffers: list[Buffer], order) -> int:
    placed: list[Buffer] = []
    for b in sorted(buffers, key=order):
        conflicts = sorted((p for p in placed if p.first <= b.last and b.first <= p.last),
                           key=lambda p: p.offset)
        offset = 0
        for p in conflicts:
            if offset + b.size <= p.offset:
                break
            offset = max(offset, p.offset + p.size)
        b.offset = offset
        placed.append(b)
    return max((b.offset + b.size for b in buffers), default=0)


STRATEGIES = {
    "size": lambda b: (-b.size, b.first, b.name),
    "lifetime": lambda b: (-(b.last - b.first), -b.size, b.name),
    "first-use": lambda b: (b.first, -b.size, b.name),
}


def place_buffers(buffers: list[Buffer]) -> int:
    """First-fit placement of buffers with lifetimes, best of the strategies; sets each offset and
    returns the arena size (for backends that plan their own intermediates)."""
    best = None
    for order in STRATEGIES.values():
        size = _place(buffers, order)
        if best is None or size < best[0]:
            best = (size, {b.name: b.offset for b in buffers})
    if best is None:
        return 0
    for b in buffers:
        b.offset = best[1][b.name]
    return best[0]


def plan(g: Graph, scratch: dict[int, int] | None = None, io_in_arena: bool = False) -> MemoryPlan:
    """Plan the arena of `g`; `scratch` maps node index -> scratch bytes a backend kernel needs.
    With `io_in_arena`, model inputs and outputs are placed in the arena too (as TF Lite Micro
    keeps them): inputs live from the start, outputs to the end."""
    external = set() if io_in_arena else set(g.inputs) | set(g.outputs)
    aliases = _aliases(g, external)

    def root(name):
        while name in aliases:
            name = aliases[name]
        return name

    spans: dict[str, list[int]] = {}
    for i, node in enumerate(g.nodes):
        for name in [*node.inputs, *node.outputs]:
            if name is None or g.tensors[name].is_const or name in external:
                continue
            r = root(name)
            span = spans.setdefault(r, [i, i])
            span[0], span[1] = min(span[0], i), max(span[1], i)
    if io_in_arena:
        last = max(len(g.nodes) - 1, 0)
        for name in g.inputs:
            if not g.tensors[name].is_const:
                span = spans.setdefault(root(name), [0, 0])
                span[0] = 0
        for name in g.outputs:
            if not g.tensors[name].is_const:
                span = spans.setdefault(root(name), [last, last])
                span[1] = last
    buffers = [Buffer(r, align(g.tensors[r].nbytes), s[0], s[1]) for r, s in spans.items()]
    for i, size in sorted((scratch or {}).items()):
        if size > 0:
            buffers.append(Buffer(f"{g.nodes[i].name}#scratch", align(size), i, i))
    live = [sum(b.size for b in buffers if b.first <= i <= b.last) for i in range(len(g.nodes))]
    bound = max(live, default=0)
    best = None
    for strategy, order in STRATEGIES.items():
        size = _place(buffers, order)
        if best is None or size < best[0]:
            best = (size, strategy, {b.name: b.offset for b in buffers})
    size, strategy, offsets = best
    for b in buffers:
        b.offset = offsets[b.name]
    all_offsets = dict(offsets)
    for name in aliases:
        if root(name) in offsets:
            all_offsets[name] = offsets[root(name)]
    return MemoryPlan(size, bound, all_offsets, external, aliases, buffers, strategy, live)

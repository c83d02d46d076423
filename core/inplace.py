"""Which operators may write their output over an input that dies at them (in-place pairs).

Decided by the in-place pass (core/passes/inplace.py) when a backend's kernels honour it (its
plan_options say `inplace`; the `c` backend's do): `decide` picks the pairs, the pass records
them as `g.inplace`, and the planner gives each pair one buffer of max(input, output) bytes.

- Elementwise int8 ops (add/sub/mul without broadcasting, int8 -> int8 unary ops the `c` backend
  emits as a table lookup or rescale): element i of the output reads only element i of the
  inputs, so the ordinary kernels are correct with out == in.
- int8 CONV_2D / DEPTHWISE_CONV_2D (batch 1): output rows are computed into a small ring of
  rows (a scratch buffer) and copied over the shared buffer once no output row still to be
  computed reads the input rows under them (TinyEngine / MCUNet style). Rows go top-down, or
  bottom-up when the output is larger than the input (channel-expanding 1x1 convolutions).
  `ring_rows` simulates exactly what the C kernel (`backends/c/kernels/inplace.h`) does and
  gives the ring's size; the pair is offered only when the ring is smaller than the output.
- A backend whose own kernels (a vendor library's) have other aliasing rules declares them per
  node (its `in_place(node, g)` hook, an `Overlap`; core/backend.py): "offset" pairs, the output
  written over an input starting `gap` bytes before it (0: at the same address), for kernels
  that sweep their output forwards and never read input bytes below what they have written;
  where its kernel allows none, the operator's own rule above may still be taken with the c
  kernel in its place (a `costly` pair). Offset and costly pairs are kept only where they make
  the arena smaller (`decide` prunes them one by one).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tinycc.core import ops, planner
from tinycc.core.graph import Graph, Node


@dataclass(frozen=True)
class InPlace:
    node: str                 # node name
    index: int                # node index in g.nodes at planning time
    input: str                # the input whose storage the output takes over
    output: str
    kind: str                 # "elementwise" or "rows"
    ring: int = 0             # rows in the ring buffer ("rows")
    backward: bool = False    # rows computed bottom-up
    scratch: int = 0          # ring bytes
    gap: int = 0              # "offset": the output starts this many bytes before the input
    costly: bool = False      # the backend's own kernel allows no overlap: the pair runs the c kernel


@dataclass(frozen=True)
class Overlap:
    """A backend kernel's aliasing rule for one node (the backend's `in_place(node, g)` hook).
    `gap` not None: the kernel writes its output forwards and reads no byte of input `inputs[i]`
    below `gap` bytes past the last output byte it has written, so the output may start `gap`
    bytes before that input (0: at its address; any larger gap is safe too). `gap` None: its
    kernel allows no overlap; with `fallback`, the operator's own rule (the c kernels') may still
    be taken, the node then running the c kernel (a costly pair)."""
    gap: int | None = None
    inputs: tuple[int, ...] = (0,)
    fallback: bool = True


Rule = Callable[[Node, Graph], "Overlap | None"]     # a backend's in_place hook


def conv_geometry(node: Node, g: Graph) -> dict[str, Any]:
    x, w, y = (g.tensors[n] for n in (node.input(0), node.input(1), node.outputs[0]))
    a = node.attrs
    _, h, wd, ci = x.shape
    _, oh, ow, co = y.shape
    kh, kw = (w.shape[1], w.shape[2])
    return {"h": h, "w": wd, "ci": ci, "oh": oh, "ow": ow, "co": co, "kh": kh, "kw": kw,
            "sh": a["strides"][0], "sw": a["strides"][1], "dh": a["dilations"][0], "dw": a["dilations"][1],
            "pad_t": a["pads"][0], "pad_l": a["pads"][1]}


def ring_rows(s: dict[str, Any], backward: bool) -> int:
    """Most output rows held in the ring at once by the row-wise in-place kernel (same logic as C)."""
    rbi, rbo, oh = s["w"] * s["ci"], s["ow"] * s["co"], s["oh"]

    def lo(oy: int) -> int:
        return max(0, int(oy * s["sh"] - s["pad_t"]))

    def hi(oy: int) -> int:
        return min(int(s["h"]) - 1, int(oy * s["sh"] - s["pad_t"] + (s["kh"] - 1) * s["dh"]))

    first, count, most = (oh - 1 if backward else 0), 0, 0
    for step in range(oh):
        oy = oh - 1 - step if backward else step
        count += 1
        most = max(most, count)
        while count > 0:
            q = first
            if step != oh - 1:
                need_lo, need_hi = (lo(0), hi(oy - 1)) if backward else (lo(oy + 1), hi(oh - 1))
                a, b = q * rbo // rbi, ((q + 1) * rbo - 1) // rbi
                if a <= need_hi and b >= need_lo:
                    break
            count -= 1
            first += -1 if backward else 1
    return most


def _conv(node: Node, g: Graph, i: int, x: str, y: str) -> InPlace | None:
    xt, yt = g.tensors[x], g.tensors[y]
    if xt.dtype != "int8" or yt.dtype != "int8" or len(xt.shape) != 4 or xt.shape[0] != 1:
        return None
    if g.tensors[node.input(1)].dtype != "int8":
        return None
    s = conv_geometry(node, g)
    rows = {bw: ring_rows(s, bw) for bw in (False, True)}
    backward = rows[True] < rows[False]
    ring = rows[backward]
    if ring >= s["oh"]:
        return None
    return InPlace(node.name, i, x, y, "rows", ring, backward, ring * s["ow"] * s["co"])


def _trait_pairs(node: Node, g: Graph, i: int) -> list[InPlace]:
    """The operator's own in-place rule (trait in_place, the c kernels'): its candidate pairs."""
    y = node.outputs[0]
    yt = g.tensors[y]
    ins = [n for n in node.inputs if n is not None]
    mode = ops.trait(node.op, "in_place")        # "rows" (convolutions) or "elementwise"
    out = []
    if mode == "rows":
        c = _conv(node, g, i, node.input(0), y)
        if c is not None:
            out.append(c)
    elif mode == "elementwise":
        if yt.dtype != "int8" or len(ins) != len(getattr(ops.get(node.op), "INPUTS", ())):   # all operands
            return out
        for x in ins:
            xt = g.tensors[x]
            if not xt.is_const and xt.dtype == "int8" and tuple(xt.shape) == tuple(yt.shape) \
                    and all(tuple(g.tensors[o].shape) == tuple(yt.shape) for o in ins) and ins.count(x) == 1:
                out.append(InPlace(node.name, i, x, y, "elementwise"))
    return out


def _offset_pairs(node: Node, g: Graph, i: int, rule: Overlap) -> list[InPlace]:
    """The pairs a backend kernel's Overlap allows: its output `gap` bytes before each named input."""
    assert rule.gap is not None
    y = node.outputs[0]
    ins = [n for n in node.inputs if n is not None]
    out = []
    for k in rule.inputs:
        x = node.inputs[k] if k < len(node.inputs) else None
        if x is None or g.tensors[x].is_const or ins.count(x) != 1:
            continue
        if rule.gap == 0 and g.tensors[x].nbytes == g.tensors[y].nbytes:
            out.append(InPlace(node.name, i, x, y, "elementwise"))       # one buffer, one address
        else:
            out.append(InPlace(node.name, i, x, y, "offset", gap=max(0, int(rule.gap))))
    return out


def candidates(g: Graph, rule: Rule | None = None) -> list[InPlace]:
    """Every (node, input) pair whose output could take the input's storage, in node order: the
    backend's `rule` for a node where it gives one (core/inplace.Overlap), else the operator's.
    Whether the input really dies at the node is the planner's business."""
    out = []
    for i, node in enumerate(g.nodes):
        if len(node.outputs) != 1 or node.outputs[0] is None:
            continue
        own = rule(node, g) if rule is not None else None
        if own is None:
            out += _trait_pairs(node, g, i)
        elif own.gap is not None:
            out += _offset_pairs(node, g, i, own)
        elif own.fallback:
            out += [InPlace(c.node, c.index, c.input, c.output, c.kind, c.ring, c.backward, c.scratch, costly=True)
                    for c in _trait_pairs(node, g, i)]
    return out


def pairs(g: Graph, io_in_arena: bool = False, rule: Rule | None = None) -> list[InPlace]:
    """The in-place candidates whose input really dies at its node, at most one per node, taken in
    node order (a chain of in-place ops shares one buffer)."""
    external = planner.external(g, io_in_arena)
    if io_in_arena:       # inputs/outputs pinned to the start/end: keep them out of it
        external = external | set(g.inputs) | set(g.outputs)
    aliases = planner.view_aliases(g, external)
    accepted, done = [], set()
    uses: dict[str, int] = {}
    for node in g.nodes:
        uses[node.name] = uses.get(node.name, 0) + 1

    def root(name: str) -> str:
        while name in aliases:
            name = aliases[name]
        return name

    for c in candidates(g, rule):
        if c.index in done or c.input in external or c.output in external or c.output in aliases:
            continue
        # MemoryPlan.inplace and the ring's "<node>#inplace" are keyed by the node's name: names
        # are data, so a repeated node name or a tensor named like the ring keeps the plain kernel
        if uses[c.node] > 1 or f"{c.node}#inplace" in g.tensors:
            continue
        if root(c.input) in external:
            continue
        node = g.nodes[c.index]
        others = [n for n in node.inputs if n is not None and n != c.input and not g.tensors[n].is_const]
        if any(root(o) == root(c.input) for o in others):
            continue
        if any(root(o) == root(c.input) for o in node.outputs if o is not None and o in aliases):
            continue
        if planner.spans_of(g, aliases, external).get(root(c.input), [-1, -1])[1] != c.index:
            continue
        aliases[c.output] = c.input
        accepted.append(c)
        done.add(c.index)
    return accepted


def decide(g: Graph, scratch: dict[int, int] | None = None, io_in_arena: bool = False,
           rule: Rule | None = None) -> list[InPlace]:
    """The in-place pairs to plan: `pairs(g)`, kept only when they make the arena smaller than the
    plan without them (the concat pass may still take them together with its slices); then each
    offset or costly pair (a backend's `rule`), in node order, dropped where the arena is no larger
    without it (an offset pair's output below its input shifts every later pair of its chain down;
    a costly one runs a slower kernel)."""
    found = pairs(g, io_in_arena, rule)
    if not found:
        return []
    plain = planner.place(g, scratch, io_in_arena)
    best = planner.place(g, scratch, io_in_arena, found).arena_bytes
    if best >= plain.arena_bytes:
        return []
    for c in [c for c in found if c.kind == "offset" or c.costly]:
        trial = [p for p in found if p is not c]
        size = planner.place(g, scratch, io_in_arena, trial).arena_bytes
        if size <= best:
            found, best = trial, size
    return found

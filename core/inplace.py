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
"""
from __future__ import annotations

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


def candidates(g: Graph) -> list[InPlace]:
    """Every (node, input) pair whose output could take the input's storage, in node order.
    Whether the input really dies at the node is the planner's business."""
    out = []
    for i, node in enumerate(g.nodes):
        if len(node.outputs) != 1 or node.outputs[0] is None:
            continue
        y = node.outputs[0]
        yt = g.tensors[y]
        ins = [n for n in node.inputs if n is not None]
        mode = ops.trait(node.op, "in_place")        # "rows" (convolutions) or "elementwise"
        if mode == "rows":
            c = _conv(node, g, i, node.input(0), y)
            if c is not None:
                out.append(c)
        elif mode == "elementwise":
            if yt.dtype != "int8" or len(ins) != len(getattr(ops.get(node.op), "INPUTS", ())):   # all operands
                continue
            for x in ins:
                xt = g.tensors[x]
                if not xt.is_const and xt.dtype == "int8" and tuple(xt.shape) == tuple(yt.shape) \
                        and all(tuple(g.tensors[o].shape) == tuple(yt.shape) for o in ins) and ins.count(x) == 1:
                    out.append(InPlace(node.name, i, x, y, "elementwise"))
    return out


def pairs(g: Graph, io_in_arena: bool = False) -> list[InPlace]:
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

    for c in candidates(g):
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


def decide(g: Graph, scratch: dict[int, int] | None = None, io_in_arena: bool = False) -> list[InPlace]:
    """The in-place pairs to plan: `pairs(g)`, kept only when they make the arena smaller than the
    plan without them (the concat pass may still take them together with its slices)."""
    found = pairs(g, io_in_arena)
    if not found:
        return []
    plain = planner.place(g, scratch, io_in_arena)
    return found if planner.place(g, scratch, io_in_arena, found).arena_bytes < plain.arena_bytes else []

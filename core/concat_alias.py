"""Concatenation without copies: which concat inputs are planned straight into their slice of
the concat output (issue #9).

A CONCATENATION copies each input into its slot of the output; while it runs, the inputs and
the output are alive together (sum(inputs) + output bytes). When an input's slot is one
contiguous run of bytes, its producer can write there directly: the concat pass (core/passes/concat_alias.py, run
when a backend's plan_options say `concat_alias`, as the `c` backend's do) records the chosen
slices as `g.slices`, and the planner (core/planner.py) places the input at
offset(output) + slot offset, stretches the output's buffer back over the producers' lifetimes,
and the `c` backend emits no copy for it (backends/c/ops/concatenation.py). The input then
takes no arena bytes of its own. Backends whose plan does not ask for it (tflm's offline plan,
cmsis-nn, microtvm, stm32cubeai) keep the copying concat.

An input X of a concat node N (output Y, axis a) is written into its slot only when all hold:
- the slot is contiguous: NHWC / row-major, every dimension of Y before `a` is 1 (axis 1 with
  batch 1, or the last axis when N=H=W=1). A channel-axis concat of H,W > 1 maps interleaves its
  inputs row by row in Y: the producers would have to write with Y's row stride, which no kernel
  does; those concats keep their copies;
- Y is an intermediate: not a model input or output (those stay in the caller's buffers), not
  a constant, and does not share another tensor's storage;
- X is an intermediate produced by a node: not a model input or output, not a constant;
- X's storage group (X and every tensor sharing its storage: reshape views, in-place pairs) does
  not start at a model input, is used outside the group by N alone, and once there (the same
  tensor, or two views of one tensor, twice in N keeps the copies);
- every tensor of the group fits in the slot (a reshape view, or an in-place pair of the same
  size; an in-place convolution over a larger input keeps the copy);
- X has Y's dtype and exactly Y's quantisation (scales and zero points). A copy never rescales
  (TF Lite Micro's kernel copies bytes; core/ops/concatenation.py rejects differing inputs), so
  this only keeps an alias from ever standing in for a requantisation.
Nested concatenations compose: an aliased concat output may itself be a slot of the next concat
(offsets add up). Which inputs qualify, and whether taking them pays (`decide`), is decided here;
where they land is the planner's job.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tinycc.core import planner
from tinycc.core.graph import Graph, Quant, np_dtype

if TYPE_CHECKING:
    from tinycc.core.inplace import InPlace
from tinycc.core.ops import concatenation

OP = concatenation.NAME


@dataclass(frozen=True)
class Slice:
    node: str        # the concat node's name
    index: int       # its index in g.nodes at planning time
    input: str       # the input written straight into the output
    output: str      # the concat output
    offset: int      # bytes from the output's first byte to the input's


def contiguous(shape: Sequence[int], axis: int) -> bool:
    """A slot along `axis` of a row-major tensor of `shape` is one run of bytes."""
    return all(int(d) == 1 for d in shape[:axis])


def _same_quant(a: Quant | None, b: Quant | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return (a.scale.shape == b.scale.shape and a.zero_point.shape == b.zero_point.shape
            and bool(np.array_equal(a.scale, b.scale)) and bool(np.array_equal(a.zero_point, b.zero_point))
            and (a.scale.size == 1 or a.axis == b.axis))


def candidates(g: Graph) -> list[Slice]:
    """The concat inputs whose slot is contiguous and that need no storage or quantisation
    change on their own (the graph-local conditions), in node order."""
    out = []
    io = set(g.inputs) | set(g.outputs)
    producers: dict[str, int] = {}
    for node in g.nodes:
        for o in node.outputs:
            if o is not None:
                producers[o] = producers.get(o, 0) + 1
    for i, node in enumerate(g.nodes):
        names = [n for n in node.inputs if n is not None]
        if node.op != OP or len(node.outputs) != 1 or node.outputs[0] is None or len(names) != len(node.inputs):
            continue
        y = g.tensors[node.outputs[0]]
        axis = node.attrs.get("axis", 0)
        rank = len(y.shape)
        if rank == 0 or not -rank <= axis < rank:
            continue
        axis %= rank
        if y.is_const or y.name in io or not contiguous(y.shape, axis):
            continue
        if any(len(g.tensors[n].shape) != rank for n in names):
            continue
        row = int(np.prod(y.shape[axis + 1:], dtype=np.int64)) * np_dtype(y.dtype).itemsize   # bytes per index
        at = 0
        for name in names:
            x = g.tensors[name]
            offset, at = at * row, at + int(x.shape[axis])
            if (x.is_const or name in io or producers.get(name) != 1 or node.inputs.count(name) != 1
                    or x.dtype != y.dtype or not _same_quant(x.quant, y.quant) or x.nbytes != int(x.shape[axis]) * row):
                continue
            out.append(Slice(node.name, i, name, y.name, offset))
    return out


def select(g: Graph, aliases: dict[str, str], external: set[str]) -> list[Slice]:
    """The candidates the planner may take, given the storage it already shares (`aliases`:
    tensor -> tensor whose storage it shares, reshape views and in-place pairs) and the tensors
    in the caller's buffers (`external`)."""
    def root(name: str) -> str:
        while name in aliases:
            name = aliases[name]
        return name

    io = set(g.inputs) | set(g.outputs) | external
    members: dict[str, list[str]] = {}
    for name, t in g.tensors.items():
        if not t.is_const:
            members.setdefault(root(name), []).append(name)
    # per storage group: the nodes reading it from outside the group (not a view / pair node
    # whose output is in the group too), with multiplicity
    outside: dict[str, list[int]] = {}
    for j, node in enumerate(g.nodes):
        outs = {root(o) for o in node.outputs if o is not None and not g.tensors[o].is_const}
        for inp in node.inputs:
            if inp is None or g.tensors[inp].is_const:
                continue
            r = root(inp)
            if r not in outs:
                outside.setdefault(r, []).append(j)
    accepted = []
    for s in candidates(g):
        r, y = root(s.input), s.output
        group = members.get(r, [s.input])
        if root(y) != y or r == y or any(m in io for m in group) or any(m in io for m in members.get(y, [y])):
            continue
        if outside.get(r) != [s.index]:
            continue
        if any(g.tensors[m].nbytes > g.tensors[s.input].nbytes for m in group):
            continue
        accepted.append(s)
    return accepted


def slices(g: Graph, io_in_arena: bool = False, pairs: Iterable[InPlace] = ()) -> list[Slice]:
    """The concat inputs to plan into their slot, given these in-place pairs (core/inplace.py)."""
    external = planner.external(g, io_in_arena)
    aliases = planner.view_aliases(g, external)
    shifted = set()                       # an offset pair's tensors: their group is not one slot's bytes
    for c in pairs:
        aliases[c.output] = c.input
        if c.kind == "offset":
            shifted |= {c.input, c.output}
    found = select(g, aliases, external)
    if not shifted:
        return found

    def root(name: str) -> str:
        while name in aliases:
            name = aliases[name]
        return name

    bad = {root(n) for n in shifted}
    return [s for s in found if root(s.input) not in bad]


def decide(g: Graph, chosen: Iterable[InPlace] = (), candidate_pairs: Iterable[InPlace] = (),
           scratch: dict[int, int] | None = None, io_in_arena: bool = False) -> tuple[list[InPlace], list[Slice]]:
    """(in-place pairs, slices) to plan, given the pairs the in-place pass `chosen` and every pair
    it could have taken (`candidate_pairs`, core/inplace.pairs): slots on top of the candidate
    pairs, and on their own, are kept unless their arena is larger; on a tie they win (no copies)."""
    best: tuple[list[InPlace], list[Slice]] = (list(chosen), [])
    if not candidates(g):
        return best
    best_arena = planner.place(g, scratch, io_in_arena, chosen).arena_bytes
    for p in ([list(candidate_pairs)] if candidate_pairs else []) + [[]]:
        found = slices(g, io_in_arena, p)
        if found:
            arena = planner.place(g, scratch, io_in_arena, p, found).arena_bytes
            if arena < best_arena or arena == best_arena and not best[1]:
                best, best_arena = (p, found), arena
    return best

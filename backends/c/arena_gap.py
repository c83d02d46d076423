"""Arena bytes free while one node runs: room for a fast kernel's working memory without a larger arena.

The planner (core/planner.py) places storage groups: an in-place chain (core/inplace.py) is one
buffer alive from its first member's producer to its last member's consumer, sized for the largest
member, so a kernel's scratch planned through it raises the peak at every node of the chain even
where the members alive there fill a fraction of it (VWW: every layer in one 36,864-byte buffer; at
the 12x12x64 depthwise 18 KB of it hold nothing). `free_gap` looks at the bytes themselves: a byte
is taken at node i when a tensor placed on it is alive at i (from its producer to its last consumer,
each tensor on its own: members of a group, views and concat slots at their own offsets) or a planned
scratch buffer of node i lies on it. What it returns is free for node i's duration only.
"""
from __future__ import annotations

from tinycc.core.planner import ALIGN, align, spans_of


def _tensor_spans(g, offsets) -> dict[str, list[int]]:
    """Arena tensor -> [first, last] node index touching it (non-constant tensors the plan placed, each
    on its own: planner.spans_of without view aliases; model inputs from node 0, outputs to the last
    node, as when a plan keeps them in the arena)."""
    spans = spans_of(g, {}, {name for name in g.tensors if name not in offsets})
    last = len(g.nodes) - 1    # model inputs and outputs the plan holds in the arena: from the start, to the end
    for name in g.inputs:
        if name in spans:
            spans[name][0] = 0
    for name in g.outputs:
        if name in offsets and not g.tensors[name].is_const:
            spans.setdefault(name, [last, last])[1] = last
    return spans


def free_gap(g, plan, index: int, need: int, unused: frozenset[str] = frozenset()) -> int | None:
    """The lowest ALIGN-aligned offset in plan's arena (below plan.arena_bytes) of `need` bytes no
    tensor alive at node `index` and no buffer planned for that node occupies, or None. `unused`: the
    names of buffers planned for the node that its kernel does not touch (a ring it runs without)."""
    if need <= 0:
        return None
    spans = _tensor_spans(g, plan.offsets)
    taken = [(plan.offsets[t], plan.offsets[t] + g.tensors[t].nbytes)
             for t, (first, last) in spans.items() if first <= index <= last]
    # the buffers that are no tensor: scratch keys ("<node>#scratch", "<node>#inplace" rings)
    taken += [(b.offset, b.offset + b.size) for b in plan.buffers
              if b.name not in g.tensors and b.name not in unused and b.first <= index <= b.last]
    at = 0
    for lo, hi in sorted(taken):
        if at + need <= lo:
            break
        at = max(at, align(hi, ALIGN))
    return at if at + need <= plan.arena_bytes else None

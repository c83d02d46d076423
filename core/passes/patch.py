"""Patch-based execution (MCUNetV2): the first, high-resolution layers of a CNN computed in
horizontal bands so their big activations never exist whole.

A model input feeding a chain of convolutions (conv_2d / depthwise_conv_2d, each output read only
by the next) is the stage. For a prefix of that chain and `tiles` bands of the prefix's last
output rows, each band is computed from its own slice of the input: every layer of the prefix
gets the rows its band needs (the receptive field grows backwards through kernels and strides),
with explicit pads only where the band touches the real image border. The bands' last outputs
are concatenated on the row axis into the original tensor, which the planner writes in place
(core/concat_alias.py), so the later layers see the same tensor as before.

Every band is the same arithmetic on the same values as the whole layer (a convolution output
depends only on its window; padded taps contribute nothing in both), so the results are
byte-identical; the price is the recomputed overlap (halo rows), reported as extra MACs. Of the
prefixes tried, the one whose plan has the smallest arena is kept; none if none is smaller.
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from tinycc.core import ops
from tinycc.core.graph import Graph, Node, PatchInfo, Tensor
from tinycc.core.ops import concatenation, strided_slice
from tinycc.core.passes import Pass

MAX_PREFIX = 12          # layers tried as the patched stage


def stage_chain(g: Graph) -> list[int]:
    """Indices of the chain of convolutions from a 4-D batch-1 model input (empty when none)."""
    consumers = g.consumers()
    for x in g.inputs:
        t = g.tensors[x]
        if len(t.shape) != 4 or t.shape[0] != 1:
            continue
        chain, cur = [], x
        while True:
            users = consumers.get(cur, [])
            if len(users) != 1:
                break
            node = g.nodes[users[0]]
            if not ops.trait(node.op, "bandable") or node.inputs[0] != cur or cur in g.outputs:
                break
            chain.append(users[0])
            cur = node.outputs[0]
            if cur in g.outputs:
                break
        if len(chain) >= 2:
            return chain
    return []


def rows_needed(node: Node, g: Graph, a: int, b: int) -> tuple[int, int, int, int]:
    """Output rows [a, b) of a convolution read input rows [lo, hi) (clipped to the input) and need
    `top` / `bottom` rows of padding: (lo, hi, top, bottom)."""
    h = g.tensors[node.input(0)].shape[1]
    kh = g.tensors[node.input(1)].shape[1]
    sh, dh = node.attrs["strides"][0], node.attrs["dilations"][0]
    pad_t = node.attrs["pads"][0]
    lo = a * sh - pad_t
    hi = (b - 1) * sh - pad_t + (kh - 1) * dh + 1
    return max(lo, 0), min(hi, h), max(0, -lo), max(0, hi - h)


def bands(rows: int, tiles: int) -> list[tuple[int, int]]:
    """`tiles` row ranges covering [0, rows) as evenly as possible (fewer when rows < tiles)."""
    tiles = max(1, min(tiles, rows))
    cuts = [rows * i // tiles for i in range(tiles + 1)]
    return [(cuts[i], cuts[i + 1]) for i in range(tiles)]


def patch(g: Graph, chain: list[int], k: int, tiles: int) -> Graph:
    """A copy of g with the first k layers of `chain` computed in `tiles` row bands."""
    g = copy.deepcopy(g)
    stage = [g.nodes[i] for i in chain[:k]]
    last = stage[-1].outputs[0]
    x0 = stage[0].input(0)
    new_nodes: list[Node] = []
    band_outputs = []
    names = g.names()
    for t, (a, b) in enumerate(bands(g.tensors[last].shape[1], tiles)):
        # rows each layer must produce, from the last layer back to the input
        need, plans = (a, b), []
        for node in reversed(stage):
            lo, hi, top, bottom = rows_needed(node, g, *need)
            plans.append((node, need, top, bottom))
            need = (lo, hi)
        plans.reverse()
        x_t = names.fresh(f"{x0}#band{t}")
        src = g.tensors[x0]
        g.tensors[x_t] = Tensor(x_t, (1, need[1] - need[0], *src.shape[2:]), src.dtype, copy.deepcopy(src.quant))
        new_nodes.append(strided_slice.node(f"{stage[0].name}#band{t}/rows", x0, x_t, (0, need[0], 0, 0),
                                            (1, need[1], *src.shape[2:])))
        cur = x_t
        for node, (oa, ob), top, bottom in plans:
            out = g.tensors[node.outputs[0]]
            y_t = names.fresh(f"{node.outputs[0]}#band{t}")
            g.tensors[y_t] = Tensor(y_t, (1, ob - oa, *out.shape[2:]), out.dtype, copy.deepcopy(out.quant))
            pads = node.attrs["pads"]
            attrs = {**node.attrs, "pads": (top, pads[1], bottom, pads[3])}
            new_nodes.append(Node(f"{node.name}#band{t}", node.op, [cur, *node.inputs[1:]], [y_t], attrs))
            cur = y_t
        band_outputs.append(cur)
    new_nodes.append(concatenation.node(f"{stage[-1].name}#bands", band_outputs, last, axis=1))
    first = chain[0]
    stage_ids = set(chain[:k])
    rest = [n for i, n in enumerate(g.nodes) if i not in stage_ids]
    g.nodes = rest[:first] + new_nodes + rest[first:]
    for node in stage[:-1]:
        del g.tensors[node.outputs[0]]
    return g


class PatchStage(Pass):
    """Patch the first stage of the model in `tiles` row bands when that shrinks the arena
    `arena(g)` measures (the backend's own planner options). Records the choice in
    g.metadata.patch and a note."""
    name = "patch-stage"

    def __init__(self, tiles: int, arena: Callable[[Graph], int]):
        self.tiles, self.arena = tiles, arena

    def run(self, g: Graph) -> Graph:
        from tinycc.core.validate import validate
        chain = stage_chain(g)
        if not chain or self.tiles < 2:
            g.metadata.notes.append(
                "patch-based execution: no stage to patch (the model input does not feed a chain of "
                "convolutions)" if not chain else "patch-based execution needs at least 2 tiles")
            return g
        before = self.arena(copy.deepcopy(g))       # the plan to beat (planned only when there is a stage)
        macs = sum(ops.macs(n, g) for n in g.nodes)
        best = None
        for k in range(2, min(len(chain), MAX_PREFIX) + 1):
            trial = validate(patch(g, chain, k, self.tiles))
            trial.metadata.keep_order = True
            size = self.arena(copy.deepcopy(trial))
            if best is None or size < best[0]:
                best = (size, k, trial)
        if best is None or best[0] >= before:
            g.metadata.notes.append(
                f"patch-based execution: no stage prefix with {self.tiles} tiles makes the arena smaller "
                f"than {before:,} B; the model is kept whole")
            return g
        size, k, out = best
        extra = sum(ops.macs(n, out) for n in out.nodes) - macs
        out.metadata.keep_order = True      # band by band, as written: no scheduling search
        out.metadata.patch = PatchInfo(layers=k, tiles=self.tiles, arena_before=before, arena_after=size,
                                       extra_macs=extra, macs_before=macs)
        out.metadata.notes.append(
            f"patch-based execution: the first {k} layers in {self.tiles} row bands, arena {before:,} -> {size:,} B; "
            f"recomputed overlap {extra:,} MACs (+{extra / max(macs, 1):.1%})")
        return out

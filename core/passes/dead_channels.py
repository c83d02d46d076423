"""Dead-channel elimination: output channels that are zero whatever the input are removed, with the
matching input channels of every consumer, through residual adds, concatenations and the
channel-preserving ops between; the model's outputs do not change.

A channel of a float32 CONV_2D or FULLY_CONNECTED output is dead when its filter and its bias are
all zero (what `torch.nn.utils.prune.ln_structured` and Keras pruning leave) and the fused
activation maps 0 to 0; a DEPTHWISE_CONV_2D (multiplier 1) channel is dead when its bias is zero and
its filter or its input channel is. Deadness flows through ops that keep each channel apart and map
0 to 0 (activations, pools, transposes, means over other axes, reshapes keeping the last axis) and
through ADD/SUB (dead when both inputs are) and CONCATENATION along the channel axis.

Channels tied by those ops form groups (union-find over (tensor, channel) slots); a group is removed
only when every slot in it is dead and none lies in a tensor the pass cannot narrow (a model input or
output, a tensor some other operator reads, a constant operand). Removing a group deletes the
producers' filter rows and biases, the consumers' filter columns (CONV_2D and FULLY_CONNECTED inputs
read zeros there, so the sums are unchanged) and narrows every tensor on the way. Quantised graphs
are left alone (the pass runs before quantisation). The note it adds gives MACs, weight bytes and
arena (a plain plan) before and after.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.passes import Pass

ZERO_KEEPING_ACTS = {"none", "relu", "relu6", "relu_n1_to_1", "tanh"}
UNARY = {"relu", "relu6", "relu_n1_to_1", "leaky_relu", "tanh", "hard_swish", "abs", "neg"}
POOLS = {"max_pool_2d", "average_pool_2d"}
PRODUCERS = {"conv_2d", "fully_connected", "depthwise_conv_2d"}


Slot = tuple[str, int]


class _Slots:
    """Union-find over (tensor, channel)."""

    def __init__(self) -> None:
        self.parent: dict[Slot, Slot] = {}

    def find(self, s: Slot) -> Slot:
        self.parent.setdefault(s, s)
        while self.parent[s] != s:
            self.parent[s] = self.parent[self.parent[s]]
            s = self.parent[s]
        return s

    def union(self, a: Slot, b: Slot) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _zero_rows(w: np.ndarray, axis: int) -> np.ndarray:
    return np.asarray(np.all(np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1) == 0, axis=1), dtype=bool)


def _data(g: Graph, name: str | None) -> np.ndarray:
    data = g.tensors[str(name)].data
    assert data is not None
    return data


def _weights_used_once(g: Graph, node: Node, consumers: dict[str, list[Node]]) -> bool:
    return all(n is None or (g.tensors[n].is_const and len(consumers.get(n, [])) == 1) for n in node.inputs[1:])


class DeadChannels(Pass):
    name = "dead-channels"

    def run(self, g: Graph) -> Graph:
        if any(t.quant is not None for t in g.tensors.values()) or g.subgraphs:
            return g
        before = _measure(g)
        removed = self._plan(g)
        if not removed:
            return g
        self._apply(g, removed)
        after = _measure(g)
        count = sum(len(v) for k, v in removed.items() if any(k in n.outputs and n.op in PRODUCERS for n in g.nodes))
        g.metadata.notes.append(
            f"dead-channel elimination: {count} all-zero output channels removed with their consumers' inputs; "
            f"MACs {before[0]:,} -> {after[0]:,}, weights {before[1]:,} -> {after[1]:,} B, "
            f"arena (plain plan) {before[2]:,} -> {after[2]:,} B")
        return g

    # ---- which channels go ----
    def _plan(self, g: Graph) -> dict[str, list[int]]:
        consumers: dict[str, list[Node]] = {}
        for node in g.nodes:
            for n in node.inputs:
                if n is not None:
                    consumers.setdefault(n, []).append(node)
        axis: dict[str, int] = {}          # the channel axis of each tensor with slots
        dead: dict[str, np.ndarray] = {}
        slots = _Slots()
        pinned: set[str] = set(g.inputs) | set(g.outputs)

        def tie(a: str, ka: int, b: str, kb: int) -> None:
            slots.union((a, ka), (b, kb))

        for node in g.nodes:
            out = node.outputs[0] if node.outputs else None
            x = node.inputs[0] if node.inputs else None
            act = node.attrs.get("activation", "none")
            if out is None or x is None:
                continue
            if node.op in PRODUCERS and out is not None and g.tensors[out].dtype == "float32" \
                    and _weights_used_once(g, node, consumers) and act in ZERO_KEEPING_ACTS:
                w = _data(g, node.inputs[1])
                b = _data(g, node.inputs[2]) if len(node.inputs) > 2 and node.inputs[2] else None
                rank = len(g.tensors[out].shape)
                if node.op == "depthwise_conv_2d":
                    if node.attrs.get("depth_multiplier", 1) != 1 or axis.get(x) != 3:
                        pinned.add(out)
                        continue
                    d = _zero_rows(w, 3) | dead[x]
                    for k in range(w.shape[3]):
                        tie(x, k, out, k)
                else:
                    if node.op == "fully_connected" and rank != 2:
                        pinned.add(out)
                        continue
                    d = _zero_rows(w, 0)
                if b is not None:
                    d = d & (np.asarray(b) == 0)
                axis[out], dead[out] = rank - 1, d
                continue
            if x not in axis:
                continue
            ax = axis[x]
            shape_in, shape_out = g.tensors[x].shape, g.tensors[out].shape
            new_axis = None
            d = dead[x]
            if node.op in UNARY or node.op in POOLS and ax == 3:
                new_axis = ax
            elif node.op == "transpose":
                new_axis = list(node.attrs["perm"]).index(ax)
            elif node.op == "mean":
                from tinycc.core.ops._reduce import resolved_axes
                red = resolved_axes(node, len(shape_in))
                if ax not in red:
                    new_axis = ax if node.attrs["keep_dims"] else ax - sum(1 for r in red if r < ax)
            elif node.op == "reshape":
                if ax == len(shape_in) - 1 and shape_out and shape_out[-1] == shape_in[-1]:
                    new_axis = len(shape_out) - 1
            elif node.op in ("add", "sub") and act in ZERO_KEEPING_ACTS and len(node.inputs) == 2:
                y = str(node.inputs[1])
                if axis.get(y) == ax and g.tensors[y].shape == shape_in == shape_out:
                    new_axis = ax
                    d = dead[x] & dead[y]
                    for k in range(shape_in[ax]):
                        tie(y, k, out, k)
            elif node.op == "concatenation" and act in ZERO_KEEPING_ACTS:
                names = [str(i) for i in node.inputs]
                if node.attrs["axis"] % len(shape_in) == ax and all(axis.get(i) == ax for i in names):
                    at, parts = 0, []
                    for i in names:
                        for k in range(g.tensors[i].shape[ax]):
                            tie(i, k, out, at + k)
                        at += g.tensors[i].shape[ax]
                        parts.append(dead[i])
                    axis[out], dead[out] = ax, np.concatenate(parts)
                continue
            if new_axis is not None:
                axis[out], dead[out] = new_axis, d
                for k in range(shape_in[ax]):
                    tie(x, k, out, k)
        # tensors whose channels some reader cannot drop
        for name in list(axis):
            for node in consumers.get(name, []):
                if node.inputs.index(name) == 0 and node.op in ("conv_2d", "fully_connected") and \
                        _weights_used_once(g, node, consumers) and (axis[name] == len(g.tensors[name].shape) - 1) \
                        and (node.op == "conv_2d" or len(g.tensors[name].shape) == 2):
                    continue
                if any(o in axis for o in node.outputs) and node.op not in ("conv_2d", "fully_connected"):
                    continue            # a channel-preserving op: tied above
                pinned.add(name)
        for name in axis:            # every slot, tied or not
            for k in range(g.tensors[name].shape[axis[name]]):
                slots.find((name, k))
        groups: dict[Slot, list[Slot]] = {}
        for s in list(slots.parent):
            groups.setdefault(slots.find(s), []).append(s)
        bad_roots = set()
        for root, members in groups.items():
            if any(t in pinned or t not in axis or not dead[t][k] for t, k in members):
                bad_roots.add(root)
        self.groups = [m for r, m in groups.items() if r not in bad_roots]   # removable when all dead (pruning)
        removed: dict[str, set[int]] = {}
        for root, members in groups.items():
            if root not in bad_roots:
                for t, k in members:
                    removed.setdefault(t, set()).add(k)
        # never empty a tensor: keep its first channel's group
        changed = True
        while changed:
            changed = False
            for t, ks in list(removed.items()):
                if len(ks) >= g.tensors[t].shape[axis[t]]:
                    keep = slots.find((t, min(ks)))
                    for s in groups[keep]:
                        removed.get(s[0], set()).discard(s[1])
                    changed = True
        self.axis = axis
        return {t: sorted(ks) for t, ks in removed.items() if ks}

    # ---- removing them ----
    def _apply(self, g: Graph, removed: dict[str, list[int]]) -> None:
        for node in g.nodes:
            out = node.outputs[0] if node.outputs else None
            if node.op in PRODUCERS and out in removed:
                ks = removed[out]
                w = g.tensors[str(node.inputs[1])]
                w.data = np.delete(_data(g, w.name), ks, axis=3 if node.op == "depthwise_conv_2d" else 0)
                w.shape = tuple(w.data.shape)
                if len(node.inputs) > 2 and node.inputs[2]:
                    b = g.tensors[str(node.inputs[2])]
                    b.data = np.delete(_data(g, b.name), ks)
                    b.shape = tuple(b.data.shape)
            x = node.inputs[0] if node.inputs else None
            if node.op in ("conv_2d", "fully_connected") and x in removed:
                w = g.tensors[str(node.inputs[1])]
                w.data = np.delete(_data(g, w.name), removed[x], axis=3 if node.op == "conv_2d" else 1)
                w.shape = tuple(w.data.shape)
        for name, ks in removed.items():
            t = g.tensors[name]
            shape = list(t.shape)
            shape[self.axis[name]] -= len(ks)
            t.shape = tuple(shape)
        for node in g.nodes:
            if node.op == "reshape" and node.outputs[0] in removed and node.attrs.get("shape"):
                shape = list(node.attrs["shape"])
                shape[-1] = g.tensors[node.outputs[0]].shape[-1]
                node.attrs["shape"] = tuple(shape)


def _measure(g: Graph) -> tuple[int, int, int]:
    from tinycc.core import planner
    macs = sum(ops.macs(n, g) for n in g.nodes)
    weights = sum(t.nbytes for t in g.tensors.values() if t.is_const)
    try:
        arena = planner.place(g, None, False, [], []).arena_bytes
    except Exception:           # noqa: BLE001 - the note's arena figure is informative only
        arena = 0
    return macs, weights, arena

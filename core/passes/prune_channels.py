"""Magnitude-based structured channel pruning without retraining (`--prune-channels`), and the
search for the largest uniform ratio within an accuracy bound (`--max-accuracy-drop`).

What can be pruned is what dead-channel elimination (core/passes/dead_channels.py) can remove: its
analysis runs on a probe copy whose every CONV_2D / FULLY_CONNECTED / DEPTHWISE_CONV_2D filter and
bias is zero, and the channel groups it could remove there are the pruning candidates (a channel
reaching a model output, a reshape that mixes channels, an operator that is not channel-wise, or a
residual ADD whose other side the pruning cannot zero is never one). A group ties the channels that
must go together: a convolution's output channel with the depthwise channel reading it, the two
sides of a residual add, the parts of a concatenation. The groups with the same producing layers
form a prunable *layer* (named after its first producing convolution or fully connected layer);
its channels are ranked by the L1 (default) or L2 norm of their filter rows (summed over the
group's convolution and fully-connected producers; the depthwise filters only where a layer has no
other producer), and the floor(ratio x channels) of smallest norm are zeroed (filter rows and biases
of every producer in their groups; ties go to the lower index), then DeadChannels removes them
exactly. So the pruned model computes what the original computes with those channels zeroed.
With bias compensation (`--prune-compensate`, on the calibration samples) each convolution or fully
connected layer reading a pruned channel first adds the channel's mean activation times its filter
column to its bias (what BN-folded models need: a small filter often carries a large constant).

Float graphs only (the pass runs before post-training quantisation). The note gives MACs, weight
bytes and arena (a plain plan) before and after; `prune_model` adds the accuracy of the pruned
model against the unpruned one on sample inputs (core/passes/accuracy.py: top-1 agreement, SQNR)
and, given a bound, picks the ratio.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node
from tinycc.core.passes import Pass, Sequential
from tinycc.core.passes.dead_channels import PRODUCERS, DeadChannels, _measure

STEP = 0.05                     # the grid of the --max-accuracy-drop search
SEARCH_SAMPLES = 64             # calibration samples the search and the report run


@dataclass
class Layer:
    """A prunable layer: its producing nodes (execution order) and its channel groups, each a list
    of (tensor, channel) slots; `index[i]` is group i's channel in the first producer's output."""
    name: str
    op: str
    producers: list[str]
    groups: list[list[tuple[str, int]]] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    axes: dict[str, int] = field(default_factory=dict)      # the channel axis of each tensor of its slots


def prunable_layers(g: Graph) -> dict[str, Layer]:
    """The layers of float graph g whose output channels pruning may remove, by name."""
    probe = copy.deepcopy(g)
    for node in probe.nodes:
        if node.op in PRODUCERS:
            for name in node.inputs[1:3]:
                t = probe.tensors[name] if name else None
                if t is not None and t.is_const and t.data is not None and t.dtype == "float32":
                    t.data = np.zeros_like(t.data)
    dc = DeadChannels()
    dc._plan(probe)
    order = {n.name: i for i, n in enumerate(g.nodes)}
    producer_of = {n.outputs[0]: n for n in g.nodes if n.op in PRODUCERS and n.outputs}
    layers: dict[tuple[str, ...], Layer] = {}
    for members in dc.groups:
        prods = sorted({producer_of[t].name for t, _ in members if t in producer_of}, key=order.__getitem__)
        if not prods:
            continue
        lead_node = next((g.nodes[order[p]] for p in prods if g.nodes[order[p]].op != "depthwise_conv_2d"),
                         g.nodes[order[prods[0]]])
        key = tuple(prods)
        layer = layers.setdefault(key, Layer(lead_node.name, lead_node.op, prods))
        layer.groups.append(sorted(members))
        layer.axes.update({t: dc.axis[t] for t, _ in members})
        layer.index.append(min(k for t, k in members if t == lead_node.outputs[0]))
    for layer in layers.values():                     # groups in channel order
        pairs = sorted(zip(layer.index, layer.groups))
        layer.index, layer.groups = [i for i, _ in pairs], [m for _, m in pairs]
    return {layer.name: layer for layer in sorted(layers.values(), key=lambda v: order[v.name])}


def channel_norms(g: Graph, layer: Layer, norm: str = "l1") -> np.ndarray:
    """Each group's filter norm: summed over the layer's convolution / fully-connected producers
    (the depthwise ones only when it has no other)."""
    nodes = {n.outputs[0]: n for n in g.nodes if n.name in layer.producers}
    dense = any(n.op != "depthwise_conv_2d" for n in nodes.values())
    out = np.zeros(len(layer.groups))
    for i, members in enumerate(layer.groups):
        for t, k in members:
            node = nodes.get(t)
            if node is None or (dense and node.op == "depthwise_conv_2d"):
                continue
            w = np.asarray(g.tensors[str(node.inputs[1])].data, dtype=np.float64)
            row = w[..., k] if node.op == "depthwise_conv_2d" else w[k]
            out[i] += np.abs(row).sum() if norm == "l1" else np.sqrt(np.sum(row * row))
    return out


def parse_spec(spec: Any) -> tuple[float, dict[str, float]]:
    """`--prune-channels`: RATIO, LAYER=RATIO,... or both (a bare ratio is every other layer's);
    a float is a uniform ratio. Every ratio in [0, 1)."""
    if spec is None:
        return 0.0, {}
    if isinstance(spec, (int, float)):
        return _ratio(str(spec), "--prune-channels"), {}
    default, per = 0.0, {}
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            name, value = (s.strip() for s in part.rsplit("=", 1))
            if not name:
                raise TinyccError(f"--prune-channels: {part!r} names no layer", hint="write LAYER=RATIO")
            per[name] = _ratio(value, f"--prune-channels {name}")
        else:
            default = _ratio(part, "--prune-channels")
    return default, per


def _ratio(text: str, what: str) -> float:
    try:
        r = float(text)
    except ValueError:
        raise TinyccError(f"{what}: {text!r} is not a number",
                          hint="a ratio in [0, 1), e.g. 0.5 (half the channels of each prunable layer)") from None
    if not 0.0 <= r < 1.0:
        raise TinyccError(f"{what}: ratio {text} is outside [0, 1)",
                          hint="a ratio in [0, 1): 0 prunes nothing, 0.5 half the channels; 1 would remove a layer")
    return r


def parse_bound(text: Any) -> tuple[str, float]:
    """`--max-accuracy-drop`: X (top-1 agreement with the unpruned model may fall by at most X
    percentage points) or XdB (every output's SQNR against the unpruned model at least X dB)."""
    s = str(text).strip()
    kind = "sqnr" if s.lower().endswith("db") else "top1"
    s = s[:-2] if kind == "sqnr" else s.rstrip("%")
    try:
        x = float(s)
    except ValueError:
        raise TinyccError(f"--max-accuracy-drop: {text!r} is not a number",
                          hint="X: top-1 agreement points (e.g. 2), or XdB: the least output SQNR (e.g. 30dB)") \
            from None
    if not np.isfinite(x) or (kind == "top1" and not 0.0 <= x <= 100.0):
        raise TinyccError(f"--max-accuracy-drop: {text} is outside [0, 100] percentage points",
                          hint="e.g. --max-accuracy-drop 2 (top-1 agreement at least 98%)")
    return kind, x


class PruneChannels(Pass):
    """Zero the smallest-norm channels of each prunable layer, then DeadChannels removes them.
    `ratio` is every prunable layer's, `layers` per layer (node names) overrides it."""
    name = "prune-channels"

    def __init__(self, ratio: float = 0.0, layers: dict[str, float] | None = None, norm: str = "l1",
                 samples: list[list[np.ndarray]] | None = None):
        self.ratio, self.layers, self.norm = ratio, dict(layers or {}), norm
        self.samples = samples      # given: bias compensation (compensate) on these inputs
        self.pruned: dict[str, list[int]] = {}       # layer -> the channels removed (its first producer's indices)
        self.channels: dict[str, int] = {}           # layer -> its prunable channels
        self.before: tuple[int, int, int] | None = None   # (MACs, weight bytes, arena) before and after
        self.after: tuple[int, int, int] | None = None

    def run(self, g: Graph) -> Graph:
        if any(t.quant is not None for t in g.tensors.values()):
            raise TinyccError("--prune-channels prunes float models; this one is quantised", file=g.source,
                              hint="prune the float model (tinycc quantises it afterwards with --calibration)")
        found = prunable_layers(g)
        ratios = self._ratios(g, found)
        before = _measure(g)
        chosen: list[tuple[Layer, int]] = []
        for name, layer in found.items():
            r = ratios.get(name, 0.0)
            count = min(int(np.floor(r * len(layer.groups) + 1e-9)), len(layer.groups) - 1)
            self.channels[name] = len(layer.groups)
            if count <= 0:
                continue
            norms = channel_norms(g, layer, self.norm)
            picked = sorted(np.argsort(norms, kind="stable")[:count].tolist())
            self.pruned[name] = [layer.index[i] for i in picked]
            chosen += [(layer, i) for i in picked]
        if self.samples:
            compensate(g, chosen, self.samples)
        for layer, i in chosen:
            _zero(g, layer.groups[i], layer.producers)
        if not self.pruned:
            return g
        notes = len(g.metadata.notes)
        g = Sequential(DeadChannels()).run(g)
        del g.metadata.notes[notes:]                  # this pass's note says it all
        after = _measure(g)
        self.before, self.after = before, after
        total = sum(len(v) for v in self.pruned.values())
        g.metadata.notes.append(
            f"channel pruning: {total} of {sum(self.channels.values())} prunable channels of {len(self.pruned)} "
            f"layers removed (smallest {self.norm.upper()} filter norms); MACs {before[0]:,} -> {after[0]:,}, "
            f"weights {before[1]:,} -> {after[1]:,} B, arena (plain plan) {before[2]:,} -> {after[2]:,} B")
        return g

    def _ratios(self, g: Graph, found: dict[str, Layer]) -> dict[str, float]:
        from tinycc.driver import resolve_layers
        ratios = {name: self.ratio for name in found}
        given: dict[str, tuple[str, float]] = {}
        for ref, r in self.layers.items():
            node = resolve_layers(g, [ref])[0]
            layer = next((v for v in found.values() if node in v.producers), None)
            if layer is None:
                op = next(n.op for n in g.nodes if n.name == node)
                raise TinyccError(
                    f"--prune-channels: layer {ref!r} ({op}) cannot be pruned", file=g.source,
                    hint="only float conv, depthwise and fully connected layers whose output channels can be removed "
                         "(not reaching a model output, a channel-mixing reshape or a non-channel-wise operator); "
                         "prunable: " + (", ".join(found) or "none"))
            if layer.name in given and given[layer.name][1] != r:
                raise TinyccError(
                    f"--prune-channels: {given[layer.name][0]!r} and {ref!r} are pruned together (their channels "
                    f"are tied: {', '.join(layer.producers)})", file=g.source, hint="give them one ratio")
            given[layer.name] = (ref, r)
            ratios[layer.name] = r
        return ratios


def compensate(g: Graph, chosen: list[tuple[Layer, int]], samples: list[list[np.ndarray]]) -> None:
    """Bias compensation: every convolution or fully connected layer reading a channel about to
    be pruned adds that channel's mean (over `samples`, in g before pruning) times its filter
    column to its bias, so the removed channel's average contribution stays (exact for a channel
    constant over the samples, up to zero-padded borders)."""
    from tinycc.core.interpreter import Interpreter
    readers: dict[str, list[Node]] = {}
    for node in g.nodes:
        if node.op in ("conv_2d", "fully_connected") and node.inputs and len(node.inputs) > 2 and node.inputs[2]:
            readers.setdefault(str(node.inputs[0]), []).append(node)
    wanted = {t: layer.axes[t] for layer, i in chosen for t, _ in layer.groups[i] if t in readers}
    if not wanted:
        return
    sums: dict[str, np.ndarray] = {}
    run = Interpreter(g)
    for xs in samples:
        _, values = run.run(xs, keep_all=True)
        for t, ax in wanted.items():
            v = np.moveaxis(np.asarray(values[t], dtype=np.float64), ax, -1)
            sums[t] = sums.get(t, 0) + v.reshape(-1, v.shape[-1]).mean(axis=0)
    bias_add: dict[str, np.ndarray] = {}
    for layer, i in chosen:
        inside = set(layer.producers)
        for t, k in layer.groups[i]:
            mean = sums[t][k] / len(samples) if t in sums else 0.0
            for node in readers.get(t, []):
                if node.name in inside or mean == 0.0:
                    continue
                w = np.asarray(g.tensors[str(node.inputs[1])].data, dtype=np.float64)
                column = w[..., k].reshape(w.shape[0], -1).sum(axis=1) if node.op == "conv_2d" else w[:, k]
                b = str(node.inputs[2])
                bias_add[b] = bias_add.get(b, np.zeros(w.shape[0])) + mean * column
    for name, add in bias_add.items():
        bias = g.tensors[name]
        bias.data = (np.asarray(bias.data, dtype=np.float64) + add).astype(np.float32)


def _zero(g: Graph, members: list[tuple[str, int]], producers: list[str]) -> None:
    nodes = {n.outputs[0]: n for n in g.nodes if n.name in producers}
    for t, k in members:
        node = nodes.get(t)
        if node is None:
            continue
        w = g.tensors[str(node.inputs[1])]
        data = np.array(w.data)
        if node.op == "depthwise_conv_2d":
            data[..., k] = 0
        else:
            data[k] = 0
        w.data = data
        if len(node.inputs) > 2 and node.inputs[2]:
            b = g.tensors[str(node.inputs[2])]
            bias = np.array(b.data)
            bias[k] = 0
            b.data = bias


# ---- the accuracy of a pruned model, and the ratio search ----

def _measure_dict(m: tuple[int, int, int]) -> dict[str, int]:
    return {"macs": m[0], "weights_bytes": m[1], "arena_bytes": m[2]}


def within(acc: dict[str, Any], kind: str, bound: float) -> bool:
    """Whether an accuracy report (accuracy_report's outputs) keeps within the bound."""
    if kind == "sqnr":
        return all(o["sqnr_db"] >= bound for o in acc["outputs"])
    return all(100.0 * (1.0 - o["top1_agreement"]) <= bound + 1e-9 for o in acc["outputs"] if "top1_agreement" in o)


def prune_model(g: Graph, spec: Any = None, max_drop: Any = None, samples: list[list[np.ndarray]] | None = None,
                compensate: bool = False) -> tuple[Graph, dict[str, Any]]:
    """g pruned by `spec` (parse_spec), or with the largest uniform ratio on a STEP grid (up to
    spec's ratio, or 0.95) whose every smaller grid ratio keeps the accuracy within `max_drop`
    (parse_bound) on `samples`; with `compensate`, bias compensation on `samples`; with the pruning
    report (layers, before/after, accuracy, search)."""
    from tinycc.core.passes.accuracy import accuracy_report
    default, per = parse_spec(spec)
    bound = parse_bound(max_drop) if max_drop is not None else None
    if bound is not None and not samples:
        raise TinyccError("--max-accuracy-drop measures the pruned model on the calibration data", file=g.source,
                          hint="pass --calibration data.npz (and --quantize none to keep the model float)")
    if compensate and not samples:
        raise TinyccError("--prune-compensate takes the channel means from the calibration data", file=g.source,
                          hint="pass --calibration data.npz (and --quantize none to keep the model float)")
    samples = (samples or [])[:SEARCH_SAMPLES]
    base = g

    def pruned_with(ratio: float) -> tuple[Graph, PruneChannels]:
        p = PruneChannels(ratio, per, samples=samples if compensate else None)
        return p.run(copy.deepcopy(base)), p

    search = []
    if bound is not None:
        kind, x = bound
        top = default if spec is not None and default > 0 else 0.95
        ratio = 0.0
        for step in range(1, int(round(top / STEP)) + 1):
            r = round(step * STEP, 4)
            h, _ = pruned_with(r)
            acc = accuracy_report(base, h, samples)
            ok = within(acc, kind, x)
            if kind == "top1" and not any("top1_agreement" in o for o in acc["outputs"]):
                raise TinyccError("--max-accuracy-drop X counts top-1 agreement, and this model has no class-score "
                                  "output", file=g.source, hint="bound the output SQNR instead, e.g. 30dB")
            search.append({"ratio": r, "outputs": acc["outputs"], "within": ok})
            if not ok:
                break
            ratio = r
        default = ratio
    out, p = pruned_with(default)
    report: dict[str, Any] = {
        "ratio": default, "norm": p.norm, "compensated": compensate,
        "layers": [{"layer": name, "index": next(i for i, n in enumerate(out.nodes) if n.name == name),
                    "channels": p.channels[name], "pruned": p.pruned.get(name, [])} for name in p.channels],
        "before": _measure_dict(p.before or _measure(base)), "after": _measure_dict(p.after or _measure(out))}
    if bound is not None:
        report["bound"] = {"kind": bound[0], "value": bound[1]}
        report["search"] = search
    if samples:
        report["accuracy"] = accuracy_report(base, out, samples)
    return out, report

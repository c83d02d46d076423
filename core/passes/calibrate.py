"""Calibration: the real-valued range of every activation of a float graph over sample inputs.

Runs the reference interpreter on each sample and records, per tensor, the min and max
("minmax"), the given percentile of |x| on each side ("percentile", robust to outliers), or the
clipping range of least quantisation error over a histogram of the values ("mse": least mean
squared error of the tensor's own int8/int16 scheme; "kl": TensorRT's entropy calibration), see
core/passes/range_search.py. The histogram methods run the samples twice (min/max first, then a
histogram of up to 2048 bins over that range): memory is bounded by the bins, never the values.

Ranges only matter where the quantiser reads them: outputs of operators that keep their input's
quantisation (pooling, reshape, ...) or have a fixed one (softmax, logistic, tanh) keep min/max.
The histogram methods measure error where the model feels it: a tensor read only by LOGISTIC or
TANH is searched over its values clamped to where those saturate (beyond, their int8 output is
the extreme level whatever the input: clipping there costs nothing, and buys resolution).
Calibration also keeps the mean (over the samples) of the input of every weighted layer, for
bias correction (core/passes/quantize.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from tinycc.core import ops, progress
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.interpreter import Interpreter
from tinycc.core.passes import range_search

METHODS = ("minmax", "percentile", "mse", "kl")
MAX_KEPT = 200_000        # values kept per tensor for the percentile method


@dataclass
class Ranges:
    lo: dict[str, float]
    hi: dict[str, float]
    samples: int
    means: dict[str, np.ndarray] = field(default_factory=dict)   # weighted layers' inputs, mean over samples
    method: str = "minmax"


def searched_tensors(g: Graph) -> set[str]:
    """The float activations whose range the quantiser reads (the others keep min/max)."""
    names = {n for n in g.inputs if g.tensors[n].dtype == "float32"}
    for node in g.nodes:
        if ops.trait(node.op, "shares_input_quant") or ops.trait(node.op, "fixed_output_quant") is not None:
            continue
        names.update(o for o in node.outputs if g.tensors[o].dtype == "float32")
    return names


def saturation_bounds(g: Graph) -> dict[str, tuple[float, float]]:
    """Tensors every reader of which is a saturating operator (trait saturates_outside): the input
    interval outside which no reader's output changes."""
    readers: dict[str, list[str]] = {}
    for node in g.nodes:
        for name in node.inputs:
            if name is not None:
                readers.setdefault(name, []).append(node.op)
    outputs = set(g.outputs)
    found = {}
    for name, op_names in readers.items():
        bounds = [ops.trait(op, "saturates_outside") for op in op_names]
        if name not in outputs and all(b is not None for b in bounds):
            found[name] = (max(b[0] for b in bounds), min(b[1] for b in bounds))
    return found


def calibrate(g: Graph, samples: list[list[np.ndarray]], method: str = "minmax",
              percentile: float = 99.99, seed: int = 0, int16_tensors: Iterable[str] = ()) -> Ranges:
    """Ranges of every float tensor; `int16_tensors` get the mse search for the int16 symmetric
    scheme (kl, defined for 256 levels, leaves them at min/max)."""
    if method not in METHODS:
        raise TinyccError(f"unknown calibration method {method!r}", hint=f"choose one of {', '.join(METHODS)}")
    if not samples:
        raise TinyccError("calibration needs at least one sample", hint="pass --calibration data.npz")
    interp = Interpreter(g)
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    kept: dict[str, list[np.ndarray]] = {}
    weighted_inputs = {n.inputs[0] for n in g.nodes if ops.trait(n.op, "weighted") and n.inputs and n.inputs[0]}
    sums: dict[str, np.ndarray] = {}
    nonzero: dict[str, int] = {}
    rng = np.random.default_rng(seed)
    for xs in progress.track(samples, "calibrating", len(samples)):
        _, values = interp.run(xs, keep_all=True)
        for name, v in values.items():
            if g.tensors[name].dtype != "float32":
                continue
            if name in weighted_inputs:
                sums[name] = sums.get(name, 0.0) + np.asarray(v, dtype=np.float64)
            v = np.asarray(v, dtype=np.float32).reshape(-1)
            if not np.all(np.isfinite(v)):
                raise TinyccError(f"tensor {name!r} is not finite on a calibration sample",
                                  hint="check the calibration data and the float model")
            nonzero[name] = nonzero.get(name, 0) + int(np.count_nonzero(v))
            lo[name] = min(lo.get(name, np.inf), float(v.min()))
            hi[name] = max(hi.get(name, -np.inf), float(v.max()))
            if method == "percentile":
                keep = v if v.size <= MAX_KEPT // len(samples) + 1 else rng.choice(v, MAX_KEPT // len(samples) + 1)
                kept.setdefault(name, []).append(keep)
    if method == "percentile":
        for name, parts in kept.items():
            allv = np.concatenate(parts)
            lo[name] = float(np.percentile(allv, 100 - percentile))
            hi[name] = float(np.percentile(allv, percentile))
    means = {name: s / len(samples) for name, s in sums.items()}
    if method in ("mse", "kl"):
        lo, hi = _searched(g, samples, interp, lo, hi, method, set(int16_tensors), nonzero)
    return Ranges(lo, hi, len(samples), means, method)


def _searched(g: Graph, samples: list[list[np.ndarray]], interp: Interpreter, lo: dict[str, float],
              hi: dict[str, float], method: str, int16: set[str], nonzero: dict[str, int]
              ) -> tuple[dict[str, float], dict[str, float]]:
    """The second pass of the histogram methods: histograms over the min/max ranges, then the search."""
    wanted = searched_tensors(g) & set(lo)
    if method == "kl":
        wanted -= int16
    clamp = saturation_bounds(g)
    bounds = {name: (max(lo[name], clamp[name][0]), min(hi[name], clamp[name][1])) if name in clamp
              else (lo[name], hi[name]) for name in sorted(wanted)}
    bins = {name: range_search.kl_bins(nonzero[name]) if method == "kl" else range_search.BINS for name in wanted}
    hists = {name: range_search.ZeroAlignedHistogram(*bounds[name], bins=bins[name]) for name in sorted(wanted)}
    for xs in progress.track(samples, f"calibrating ({method} histograms)", len(samples)):
        _, values = interp.run(xs, keep_all=True)
        for name, h in hists.items():
            h.add(np.clip(np.asarray(values[name], dtype=np.float32).reshape(-1), *bounds[name]))
    lo, hi = dict(lo), dict(hi)
    for name, h in progress.track(list(hists.items()), f"searching {method} ranges", len(hists)):
        lo[name], hi[name] = (range_search.kl_range(h) if method == "kl"
                              else range_search.mse_range(h, int16=name in int16))
    return lo, hi

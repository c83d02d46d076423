"""`tinycc compare`: one model through several runtimes, each output compared with a baseline.

Per output: the largest absolute difference, how many elements differ, top-1 agreement over
the samples, and whether every byte is equal. With `per_layer`, every intermediate tensor is
compared too, and the first layer whose result differs from the baseline's is named: a
runtime gives its intermediates through `run_layers(g, inputs) -> {tensor: array}` or, if it
runs whatever graph it is given, through the graph with every tensor made an output
(core.debug.with_all_outputs). A runtime that can do neither says so (`layers = False`).
"""
from __future__ import annotations

import numpy as np

from tinycc.core.debug import with_all_outputs
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.progress import phase
from tinycc.core.samples import random_inputs

FLOAT_RTOL = 1e-4      # a float tensor diverges when max |a - b| > FLOAT_RTOL * max(1, max |baseline|)


def random_samples(g: Graph, n: int, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [random_inputs(g, rng) for _ in range(n)]


def run_runtime(runtime, g: Graph, samples):
    if hasattr(runtime, "run_many"):
        return runtime.run_many(g, samples)
    return [runtime.run(g, xs) for xs in samples]


def unusable(runtime, g: Graph) -> str | None:
    """Why `runtime` cannot run `g` here (not installed, or not this kind of model), or None."""
    reason = runtime.available() if hasattr(runtime, "available") else None
    if reason is None and hasattr(runtime, "supports"):
        reason = runtime.supports(g)
    return reason


def run_layers(runtime, g: Graph, samples) -> list[dict[str, np.ndarray]]:
    """Every intermediate tensor of every sample, by tensor name."""
    if hasattr(runtime, "run_layers"):
        return [runtime.run_layers(g, xs) for xs in samples]
    g2 = with_all_outputs(g)
    return [dict(zip(g2.outputs, outs)) for outs in run_runtime(runtime, g2, samples)]


def _diff(ref: np.ndarray, got: np.ndarray) -> np.ndarray:
    return np.abs(ref.astype(np.float64) - got.astype(np.float64))


def tolerance(ref: np.ndarray) -> float:
    """0 for integer tensors (bit-exact expected); relative to the baseline's range for float."""
    if ref.dtype.kind != "f":
        return 0.0
    return FLOAT_RTOL * max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)


def compare_layers(g: Graph, base: list[dict], got: list[dict]) -> dict:
    """Per layer: max |error| and mismatching elements over the samples; the first diverging layer."""
    rows = []
    for index, node in enumerate(g.nodes):
        for t in node.outputs:
            if not all(t in b and t in o for b, o in zip(base, got)):
                continue
            ref = np.stack([np.asarray(b[t]).reshape(-1) for b in base])
            val = np.stack([np.asarray(o[t]).reshape(-1) for o in got])
            if ref.shape != val.shape:
                continue
            d = _diff(ref, val)
            err = float(d.max()) if d.size else 0.0
            rows.append({"index": index, "layer": node.name, "op": node.op, "tensor": t, "max_abs_error": err,
                         "mismatches": int(np.count_nonzero(d)), "elements": int(d.size),
                         "diverges": err > tolerance(ref)})
    first = next((r for r in rows if r["diverges"]), None)
    return {"layers": rows, "first_divergence": first}


def compare(g: Graph, runtimes: list, samples, baseline: str | None = None, per_layer: bool = False) -> dict:
    """{'baseline', 'skipped': {name: reason}, 'results': [{runtime, output, max_abs_error, ...}],
    'per_layer': {runtime: {'layers': [...], 'first_divergence': row | None} | {'skipped': reason}}}"""
    usable: list = []
    skipped: dict[str, str] = {}
    for rt in runtimes:
        reason = unusable(rt, g)
        (skipped.__setitem__(rt.name, reason) if reason else usable.append(rt))
    if not usable:
        raise TinyccError("none of the runtimes can run this model",
                          hint="; ".join(f"{k}: {v}" for k, v in skipped.items()))
    base = next((rt for rt in usable if rt.name == baseline), usable[0])
    if baseline and base.name != baseline:
        raise TinyccError(f"the baseline runtime {baseline!r} cannot run this model",
                          hint=skipped.get(baseline, f"add {baseline} to --runtimes"))
    outputs = {}
    for rt in usable:
        with phase(f"running {rt.name}"):
            outputs[rt.name] = run_runtime(rt, g, samples)
    results = []
    for rt in usable:
        if rt is base:
            continue
        for i, name in enumerate(g.outputs):
            ref = np.stack([np.asarray(outputs[base.name][k][i]).reshape(-1) for k in range(len(samples))])
            got = np.stack([np.asarray(outputs[rt.name][k][i]).reshape(-1) for k in range(len(samples))])
            diff = _diff(ref, got)
            results.append({"runtime": rt.name, "output": name, "max_abs_error": float(diff.max()),
                            "mismatches": int(np.count_nonzero(diff)), "elements": int(diff.size),
                            "top1_agreement": float(np.mean(ref.argmax(1) == got.argmax(1))),
                            "bit_exact": ref.dtype == got.dtype and bool(np.array_equal(ref.view(np.uint8),
                                                                                      got.view(np.uint8)))})
    result = {"baseline": base.name, "samples": len(samples), "skipped": skipped, "results": results}
    if per_layer:
        layers = {}
        if getattr(base, "layers", True) is False:
            raise TinyccError(f"the baseline {base.name} does not expose intermediate tensors",
                              hint="use --baseline reference for --per-layer")
        with phase(f"running {base.name}, every layer"):
            ref_layers = run_layers(base, g, samples)
        for rt in usable:
            if rt is base:
                continue
            if getattr(rt, "layers", True) is False:
                layers[rt.name] = {"skipped": f"{rt.name} does not expose intermediate tensors"}
                continue
            try:
                with phase(f"running {rt.name}, every layer"):
                    layers[rt.name] = compare_layers(g, ref_layers, run_layers(rt, g, samples))
            except TinyccError as err:       # e.g. a backend that cannot build the all-outputs graph
                layers[rt.name] = {"skipped": f"could not get its intermediate tensors: {err.render()}"}
        result["per_layer"] = layers
    return result

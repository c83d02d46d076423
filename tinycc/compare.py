"""`tinycc compare`: one model through several runtimes, each output compared with a baseline.

Per output: the largest absolute difference, how many elements differ, top-1 agreement over
the samples, and whether every byte is equal.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.samples import random_inputs


def random_samples(g: Graph, n: int, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [random_inputs(g, rng) for _ in range(n)]


def run_runtime(runtime, g: Graph, samples):
    if hasattr(runtime, "run_many"):
        return runtime.run_many(g, samples)
    return [runtime.run(g, xs) for xs in samples]


def compare(g: Graph, runtimes: list, samples, baseline: str | None = None) -> dict:
    """{'baseline', 'skipped': {name: reason}, 'results': [{runtime, output, max_abs_error, ...}]}"""
    usable, skipped = [], {}
    for rt in runtimes:
        reason = rt.available() if hasattr(rt, "available") else None
        (skipped.__setitem__(rt.name, reason) if reason else usable.append(rt))
    if not usable:
        raise TinyccError("none of the runtimes is available", hint="; ".join(f"{k}: {v}" for k, v in skipped.items()))
    base = next((rt for rt in usable if rt.name == baseline), usable[0])
    outputs = {rt.name: run_runtime(rt, g, samples) for rt in usable}
    results = []
    for rt in usable:
        if rt is base:
            continue
        for i, name in enumerate(g.outputs):
            ref = np.stack([np.asarray(outputs[base.name][k][i]).reshape(-1) for k in range(len(samples))])
            got = np.stack([np.asarray(outputs[rt.name][k][i]).reshape(-1) for k in range(len(samples))])
            diff = np.abs(ref.astype(np.float64) - got.astype(np.float64))
            results.append({"runtime": rt.name, "output": name, "max_abs_error": float(diff.max()),
                            "mismatches": int(np.count_nonzero(diff)), "elements": int(diff.size),
                            "top1_agreement": float(np.mean(ref.argmax(1) == got.argmax(1))),
                            "bit_exact": bool(np.array_equal(ref.view(np.uint8), got.view(np.uint8)))})
    return {"baseline": base.name, "samples": len(samples), "skipped": skipped, "results": results}

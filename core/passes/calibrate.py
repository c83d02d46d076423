"""Calibration: the real-valued range of every activation of a float graph over sample inputs.

Runs the reference interpreter on each sample and records, per tensor, the min and max
("minmax") or the given percentile of |x| on each side ("percentile", robust to outliers).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinycc.core import progress
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.interpreter import Interpreter

METHODS = ("minmax", "percentile")
MAX_KEPT = 200_000        # values kept per tensor for the percentile method


@dataclass
class Ranges:
    lo: dict[str, float]
    hi: dict[str, float]
    samples: int


def calibrate(g: Graph, samples: list[list[np.ndarray]], method: str = "minmax",
              percentile: float = 99.99, seed: int = 0) -> Ranges:
    if method not in METHODS:
        raise TinyccError(f"unknown calibration method {method!r}", hint=f"choose one of {', '.join(METHODS)}")
    if not samples:
        raise TinyccError("calibration needs at least one sample", hint="pass --calibration data.npz")
    interp = Interpreter(g)
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    kept: dict[str, list[np.ndarray]] = {}
    rng = np.random.default_rng(seed)
    for xs in progress.track(samples, "calibrating", len(samples)):
        _, values = interp.run(xs, keep_all=True)
        for name, v in values.items():
            if g.tensors[name].dtype != "float32":
                continue
            v = np.asarray(v, dtype=np.float32).reshape(-1)
            if not np.all(np.isfinite(v)):
                raise TinyccError(f"tensor {name!r} is not finite on a calibration sample",
                                  hint="check the calibration data and the float model")
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
    return Ranges(lo, hi, len(samples))

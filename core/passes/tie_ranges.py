"""Tied calibration ranges: the steps of a loop an importer unrolled share one quantisation.

An unrolled recurrent layer computes the same cell at every step with the same weights. Calibrated
step by step, each step's activations get their own range, so every step gets its own derived
constants, though its weights are stored once: folded biases, requantisation multipliers and shifts,
LOGISTIC / TANH tables. For a 32-unit LSTM over 25 steps those cost ~70 KB of flash against ~6 KB of
int8 weights. Importers that unroll record each step's tensors under a role
(`g.metadata.tied`: tensor -> role); `tie` gives all tensors of a role the union of their ranges,
so the steps quantise alike, their derived constants are equal and a backend stores them once (the
`c` backend keeps one array per distinct content), as TF Lite's own LSTM uses one quantisation for
every step. Exactness is untouched (the int8 graph is what it is, whatever its scales); the cost is
resolution where a step's range is narrower than the union.
"""
from __future__ import annotations

from collections.abc import Mapping

from tinycc.core.passes.calibrate import Ranges


def tie(ranges: Ranges, roles: Mapping[str, str]) -> int:
    """Widen each calibrated tensor of `roles` to the union of its role's ranges (in place); the
    number of roles that had more than one calibrated tensor."""
    groups: dict[str, list[str]] = {}
    for name, role in roles.items():
        if name in ranges.lo and name in ranges.hi:
            groups.setdefault(role, []).append(name)
    tied = 0
    for names in groups.values():
        if len(names) < 2:
            continue
        lo, hi = min(ranges.lo[n] for n in names), max(ranges.hi[n] for n in names)
        for n in names:
            ranges.lo[n], ranges.hi[n] = lo, hi
        tied += 1
    return tied

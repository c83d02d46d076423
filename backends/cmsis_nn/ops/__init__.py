"""CMSIS-NN twins of the c emitters, one module per core op (same names as core/ops and
backends/c/ops): the set of twins is the set of modules here, found by op name.

Each module defines `applies(node, g)` (CMSIS-NN has a kernel for this node), `emit(node, m,
params)` (the c emitters' interface; `m` is the c backend's CModule) and, where CMSIS-NN needs a
scratch buffer, `scratch_bytes(node, g, kernels)`: an upper bound of CMSIS-NN's *_get_buffer_size
for its `kernels` family: "dsp" (scalar and DSP builds: Cortex-M0..M33), "mve" (Helium builds:
Cortex-M55/M85, where the compiler defines __ARM_FEATURE_MVE and CMSIS-NN ARM_MATH_MVEI) or "any"
(the larger of both: one output that builds for either). The buffer comes from tinycc's plan; the
generated code passes the planned size and checks CMSIS-NN's own figure against it at run time
(an error if it is larger). A node without a twin, or whose
twin does not apply, falls back to the c backend's emitter. A twin may declare `in_place(node,
g)`: the aliasing its CMSIS-NN kernel allows (core/inplace.Overlap, read from CMSIS-NN's source;
each module's docstring says why); a twin without it allows none.
"""
from __future__ import annotations

from types import ModuleType

from tinycc.backends import op_module
from tinycc.core.inplace import Overlap


def get(op: str) -> ModuleType | None:
    """This backend's twin module for `op`, or None (private helpers are no operators)."""
    return op_module(__name__, op)


def twins(node, g) -> ModuleType | None:
    """The CMSIS-NN emitter for `node`, or None for the c backend's (generate's `twins` hook)."""
    twin = get(node.op)
    return twin if twin is not None and twin.applies(node, g) else None


KERNELS = ("any", "dsp", "mve")


def scratch_bytes(node, g, kernels: str = "any") -> int:
    """Upper bound of the CMSIS-NN scratch a node needs with the `kernels` family ("dsp", "mve" or
    "any": the larger of both); 0 without a twin."""
    if kernels not in KERNELS:
        raise ValueError(f"CMSIS-NN kernels are one of {KERNELS}, not {kernels!r}")
    twin = twins(node, g)
    if twin is None or not hasattr(twin, "scratch_bytes"):
        return 0
    families = ("dsp", "mve") if kernels == "any" else (kernels,)
    return max(twin.scratch_bytes(node, g, k) for k in families)


def in_place(node, g) -> Overlap | None:
    """The backend's aliasing rule for `node` (the planner's in_place hook): its twin's, no overlap
    for a twin that declares none (the c kernel may still run in place instead, a costly pair),
    None where the c kernel runs anyway (the operator's own rule)."""
    twin = twins(node, g)
    if twin is None:
        return None
    rule = getattr(twin, "in_place", None)
    return rule(node, g) if rule is not None else Overlap(gap=None)

"""Kernel variant tables of the c backend's MAC-heavy emitters (conv_2d, depthwise_conv_2d,
fully_connected): which kernel function a node is emitted as is data, not string assembly.

An emitter lists its `Variant`s in order of preference; the first whose `constants(node, m, p, inplace)`
gives its values (the C expressions of its constant arrays; None when the variant does not apply:
a dtype, a shape, a requantisation the variant cannot do exactly) is called, with its argument
template filled from those values and the node's common ones (shape, x, y, zero points, clamp).
A `fast` variant buys cycles with code bytes (and often with re-laid constants); the c backend's
`--optimize size` leaves them out, so that every node takes the reference kernel (the same output bytes).

Whether a fast variant or path pays for its bytes (issue 19; Cortex-M4 est. cycles, benchmarks/flash_breakdown.py
--cycles): it stays where it saves well over 16 est. cycles per byte of code and re-laid constants, and a kernel
path no node takes is compiled out (TINYCC_COLS_*, TINYCC_DW_ONLY_PF, TINYCC_DW_PAIR). Measured: the fast
conv/depthwise kernels on KWS 5.6 K cycles a byte (size mode 49.9 M vs 5.2 M est. cycles for 8.0 KB), the
depthwise wide rows on VWW 416 (1,164 B for 484 K cycles: kept), its two-pixel pass on a DSP core 1.7 (1,494 B
for 2.5 K: compiled out), one ADD function shared by IC's three 0.6 K cycles a byte *lost* (200 B less for
125 K more: per-layer functions kept), the fast fully connected kernel below W4_MIN_MACS about 6 (reference),
the im2col conv's three-pixel loop (tinycc_cols_block3_asm) 107 on KWS (1,960 B for 210 K), 343 on ResNet-8 (2,316 B
for 795 K), 314 on VWW (3,080 B for 967 K): kept.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str
    kernel: str                   # the out-of-place C function
    args: str                     # its argument list, a str.format template
    file: str                     # the kernel file (under backends/c/kernels/) defining `kernel`
    constants: Callable           # (node, m, p, inplace) -> dict of C expressions, or None: does not apply
    inplace: str | None = None    # the function over a row ring (kernels/common/inplace.h), if any
    inplace_args: str | None = None
    fast: bool = False            # a speed variant: left out under --optimize size


def choose(variants, node, m, p, inplace: bool = False) -> tuple[Variant, dict]:
    """The first variant that applies (in place: among those with an in-place function) and its values;
    under `--optimize size` (m.optimize) the first that is not a `fast` one."""
    size = getattr(m, "optimize", "speed") == "size"
    for v in variants:
        if (inplace and v.inplace is None) or (size and v.fast):
            continue
        values = v.constants(node, m, p, inplace)
        if values is not None:
            return v, values
    raise RuntimeError(f"no {node.op} kernel variant applies to node {node.name!r}")   # a tinycc bug


def call(v: Variant, values: dict, inplace: bool = False) -> str:
    """The C call statement of variant `v` with these values."""
    if inplace:
        if v.inplace_args is None:
            raise RuntimeError(f"kernel variant {v.name} has no in-place form")   # a tinycc bug
        return f"{v.inplace}({v.inplace_args.format(**values)});"
    return f"{v.kernel}({v.args.format(**values)});"


def common(node, p, shape: str) -> dict:
    """The values every variant's template may use besides its constants."""
    return {"shape": shape, "in_zp": p.get("input_zp"), "out_zp": p.get("output_zp"),
            "act_min": p.get("act_min"), "act_max": p.get("act_max")}

"""Hot spots of a compiled model on an emulated Cortex-M: where the instructions go, by function
and by source line.

Builds the folder (tinycc compile output: c, cmsis-nn or microtvm) with debug information and the
per-layer marks, runs random inputs under QEMU with tinycc's instruction-count plugin listing every
block of guest code it ran, and maps each block's first address to its function and source line
(arm-none-eabi-addr2line, the innermost inlined frame). A block is charged whole to its first
line, so read the lines as neighbourhoods. The layers' own split is `tinycc bench --per-layer`.

    python benchmarks/profile_cortexm.py OUT [--target cortex-m4] [--samples 1] [--top 25]
"""
from __future__ import annotations

import argparse
import collections
import subprocess
import sys

import numpy as np
from rich.console import Console
from rich.table import Table

from tinycc import cortexm
from tinycc.core.samples import random_tensor


def locate(elf: str, addresses: list[int], target: str = "cortex-m4") -> dict[int, tuple[str, str]]:
    """address -> (function, file:line) of the innermost inlined frame."""
    if not addresses:
        return {}
    tool = cortexm.tool(cortexm.target(target), "addr2line")      # the core's binutils (tinycc/targets.json)
    # one query per address (-i prints a variable number of frames): a sentinel address after each
    # separates them (the top of the address space holds no code: it prints "??")
    query = [a for addr in addresses for a in (hex(addr), "0xfffffff0")]
    lines = subprocess.run([tool, "-f", "-i", "-e", elf, *query], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    found, i = {}, 0
    for addr in addresses:
        frames = []
        while i + 1 < len(lines) and not (lines[i] == "??" and lines[i + 1].startswith("??:")):
            frames.append((lines[i], lines[i + 1].rsplit("/", 1)[-1]))
            i += 2
        i += 2          # the sentinel's two lines
        found[addr] = frames[0] if frames else ("??", "??:0")
    return found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--target", default="cortex-m4")
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args(argv)
    built = cortexm.build(args.folder, args.target, extra_flags=("-g", "-DTINYCC_PROFILE_LAYERS"))
    layout = cortexm.io_layout(args.folder, built["name"])
    rng = np.random.default_rng(0)
    samples = [[random_tensor(rng, shape, dtype) for shape, dtype in layout["input"]] for _ in range(args.samples)]
    blocks: list = []
    _, per_inference = cortexm.run(built["elf"], args.target, samples, layout["output"], count=True, blocks=blocks)
    where = locate(built["elf"], sorted({a for a, _, _ in blocks}), args.target)
    by_function, by_line = collections.Counter(), collections.Counter()
    for addr, insns, runs in blocks:
        function, line = where[addr]
        by_function[function] += insns * runs
        by_line[(function, line)] += insns * runs
    total = sum(by_function.values()) or 1
    console = Console()
    console.print(f"{args.folder} on {args.target}: {per_inference:,} instructions per inference")
    for title, counter, label in (("functions", by_function, lambda k: (k,)),
                                  ("source lines", by_line, lambda k: k)):
        table = Table(title=f"hottest {title}")
        for col in (("function",) if title == "functions" else ("function", "line")) + ("instructions", "share"):
            table.add_column(col, justify="right" if col in ("instructions", "share") else "left")
        for key, n in counter.most_common(args.top):
            table.add_row(*label(key), f"{n // args.samples:,}", f"{n / total:.1%}")
        console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

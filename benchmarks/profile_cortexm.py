"""Hot spots of a compiled model on an emulated Cortex-M: where the estimated cycles go, by layer,
by function (kernel variant) and by source line.

Builds the folder (tinycc compile output: c, cmsis-nn or microtvm) with debug information and the
per-layer marks, runs random inputs under QEMU with tinycc's instruction-count plugin tracing every
block of guest code it ran (its runs and taken exits, per layer), prices each block with the
Cortex-M4 cycle model (tinycc/cycles.py: the TRM's instruction timings, zero wait states) and maps
each block's first address to its function and source line (arm-none-eabi-addr2line, the innermost
inlined frame). A block is charged whole to its first line, so read the lines as neighbourhoods.
Every table ranks by estimated cycles and shows the instructions and cycles per instruction beside
them; a layer's row names the function that took most of its cycles (the kernel variant it ran).

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

from tinycc import cortexm, cycles
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


def price(elf: str, trace: list) -> list[tuple[int, int, int, int]]:
    """[(part, address, cycles, instructions), ...] of every traced block (its runs summed over
    samples): the cycle model's cost of one run times the runs, plus the refill of its taken exits."""
    code = cycles.disassemble(str(elf))
    priced, cache = [], {}
    for part, pc, n, runs, taken, _misses in trace:
        if (pc, n) not in cache:
            cache[(pc, n)] = cycles.block_cost(code, pc, n)
        cyc, pays, _ = cache[(pc, n)]
        refill = {"always": runs, "taken": taken, "never": 0}[pays] * cycles.P
        priced.append((part, pc, runs * cyc + refill, runs * n))
    return priced


def _table(title: str, columns: tuple[str, ...], rows: list[tuple], total: int, samples: int) -> Table:
    """Rows (*labels, cycles, instructions) ranked by cycles, with share and cycles per instruction."""
    table = Table(title=title)
    for col in columns + ("est. cycles", "share", "instructions", "cycles/insn"):
        table.add_column(col, justify="left" if col in columns else "right")
    for *labels, cyc, insns in rows:
        table.add_row(*labels, f"{cyc // samples:,}", f"{cyc / total:.1%}", f"{insns // samples:,}",
                      f"{cyc / max(insns, 1):.2f}")
    return table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--target", default="cortex-m4")
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args(argv)
    built = cortexm.build(args.folder, args.target, extra_flags=("-g", "-DTINYCC_PROFILE_LAYERS"))
    layout = cortexm.io_layout(args.folder, built["name"])
    names = cortexm.layers(args.folder, built["name"])
    rng = np.random.default_rng(0)
    samples = [[random_tensor(rng, shape, dtype) for shape, dtype in layout["input"]] for _ in range(args.samples)]
    trace: list = []
    per_inference = cortexm.run(built["elf"], args.target, samples, layout["output"], count=True,
                                per_layer=bool(names), trace=trace)[1]
    priced = price(built["elf"], trace)
    where = locate(built["elf"], sorted({pc for _, pc, _, _ in priced}), args.target)
    by_function: collections.Counter = collections.Counter()
    by_line: collections.Counter = collections.Counter()
    by_layer: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    insns_of: collections.Counter = collections.Counter()
    for part, pc, cyc, insns in priced:
        function, line = where[pc]
        for key in (("f", function), ("l", function, line), ("p", part)):
            insns_of[key] += insns
        by_function[function] += cyc
        by_line[(function, line)] += cyc
        by_layer[part][function] += cyc
    total = sum(by_function.values()) or 1
    s = args.samples
    console = Console()
    console.print(f"{args.folder} on {args.target}: {total // s:,} est. cycles, {per_inference:,} instructions "
                  f"per inference ({total / max(per_inference * s, 1):.2f} cycles per instruction)")
    if names:
        rows = []
        for part, counter in by_layer.items():
            label = ("(before the first layer)", "", "") if part == 0 else (str(part - 1), *names[part - 1])
            top, top_cyc = counter.most_common(1)[0]
            cyc = sum(counter.values())
            rows.append((*label, f"{top} ({top_cyc / max(cyc, 1):.0%})", cyc, insns_of[("p", part)]))
        rows.sort(key=lambda r: -r[-2])
        console.print(_table("layers by est. cycles", ("#", "op", "node", "hottest function"), rows[:args.top],
                             total, s))
    rows = [(f, c, insns_of[("f", f)]) for f, c in by_function.most_common(args.top)]
    console.print(_table("hottest functions (kernel variants)", ("function",), rows, total, s))
    rows = [(f, line, c, insns_of[("l", f, line)]) for (f, line), c in by_line.most_common(args.top)]
    console.print(_table("hottest source lines", ("function", "line"), rows, total, s))
    console.print(cycles.ASSUMPTIONS, soft_wrap=True, highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

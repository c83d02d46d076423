"""Fuzz the TFLite and ONNX importers with malformed models: a longer run than the CI budget.

Uses the seeded generators of `tests/fuzz_cases.py` (the ones `tests/test_fuzz_models.py` runs
in CI): byte-level mutation (truncation, bit flips, splices) and structural mutation through
the formats' object APIs. Every case must end in success or one clear TinyccError; a crash
(any other exception), a timeout or a MemoryError is a failure and is listed with the case's
seed and index, from which `--replay` rebuilds it.

    python benchmarks/fuzz_models.py [--cases 20000] [--seed 0] [--format tflite,onnx]
                                     [--family bytes,struct] [--start 0] [--save DIR]
    python benchmarks/fuzz_models.py --replay INDEX --format onnx --family struct [--seed 0]
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tests import fuzz_cases  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=20000, help="cases per format (split over the families)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--format", default="tflite,onnx")
    ap.add_argument("--family", default=",".join(fuzz_cases.FAMILIES))
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    ap.add_argument("--memory", type=int, default=2048, help="MiB a case may add to the address space")
    ap.add_argument("--save", type=Path, help="write each failing case's model file here")
    ap.add_argument("--replay", type=int, help="run one case (by index) and print its description and traceback")
    args = ap.parse_args(argv)
    formats = [f for f in args.format.split(",") if f]
    families = [f for f in args.family.split(",") if f]
    console = Console()
    work = Path(tempfile.mkdtemp(prefix="tinycc-fuzz-"))

    if args.replay is not None:
        for fmt in formats:
            for fam in families:
                data, what = fuzz_cases.make_case(args.seed, fmt, fam, args.replay)
                out = fuzz_cases.run_case(data, fmt, work, case_seed=args.replay, timeout=args.timeout,
                                          memory_bytes=args.memory << 20)
                saved = work / f"{fmt}-{fam}-{args.seed}-{args.replay}{fuzz_cases.FORMATS[fmt]}"
                saved.write_bytes(data)
                console.print(f"[bold]{fmt}/{fam} case {args.replay} (seed {args.seed})[/]: {what}\n"
                              f"  model: {saved}\n  {out.status} at {out.stage}: {out.message}")
                if out.trace:
                    console.print(out.trace, markup=False, highlight=False)
        return 0

    table = Table(title=f"tinycc importer fuzzing (seed {args.seed}, cases {args.start}.."
                        f"{args.start + args.cases // len(families) - 1} per family)")
    for col in ("format", "family", "cases", "loaded OK", "clear errors", "failures", "s", "cases/s"):
        table.add_column(col, justify="left" if col in ("format", "family") else "right")
    failures = []
    kinds: collections.Counter = collections.Counter()

    def on_failure(fmt, fam):
        def record(index, what, out):
            failures.append((fmt, fam, index, what, out))
            kinds[(fmt, out.status, out.stage, out.where)] += 1
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                data, _ = fuzz_cases.make_case(args.seed, fmt, fam, index)
                (args.save / f"{fmt}-{fam}-{args.seed}-{index}{fuzz_cases.FORMATS[fmt]}").write_bytes(data)
            console.print(f"[red]FAIL[/] {fmt}/{fam} seed {args.seed} case {index}: {out.status} at {out.stage}: "
                          f"{out.message.splitlines()[0][:200]}", highlight=False)
        return record

    t_all = time.perf_counter()
    totals = {}
    for fmt in formats:
        per_family = args.cases // len(families)
        total = fuzz_cases.Tally()
        for fam in families:
            tally = fuzz_cases.run_cases(args.seed, fmt, fam, args.start, per_family, work, timeout=args.timeout,
                                         memory_bytes=args.memory << 20, on_failure=on_failure(fmt, fam))
            table.add_row(fmt, fam, f"{tally.cases:,}", f"{tally.ok:,}", f"{tally.errors:,}", f"{tally.failures:,}",
                          f"{tally.seconds:.1f}", f"{tally.cases / max(tally.seconds, 1e-9):.0f}")
            for k in ("cases", "ok", "errors", "failures", "seconds"):
                setattr(total, k, getattr(total, k) + getattr(tally, k))
        totals[fmt] = total
        table.add_row(fmt, "[bold]all[/]", f"{total.cases:,}", f"{total.ok:,}", f"{total.errors:,}",
                      f"{total.failures:,}", f"{total.seconds:.1f}", f"{total.cases / max(total.seconds, 1e-9):.0f}",
                      end_section=True)
    console.print(table)
    console.print(f"total {time.perf_counter() - t_all:.1f} s")
    if kinds:
        console.print("[bold red]failures by kind[/] (replay: --replay INDEX --format F --family FAM "
                      f"--seed {args.seed}):")
        first = {}
        for fmt, fam, index, what, out in failures:
            first.setdefault((fmt, out.status, out.stage, out.where), (fam, index, what, out.message))
        for key, n in kinds.most_common():
            fam, index, what, message = first[key]
            console.print(f"  {n:5d}  {key[0]} {key[1]} in {key[2]}: {key[3]}\n"
                          f"         e.g. {fam} case {index}: {what}\n         {message.splitlines()[0][:300]}",
                          highlight=False, soft_wrap=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

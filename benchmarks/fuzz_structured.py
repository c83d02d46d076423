"""Structure-aware fuzzing of tinycc: a longer run than the CI budget, with the table of counts.

Uses `tests/fuzz_structured.py` (the cases `tests/test_fuzz_structured.py` runs in CI): real-shaped
valid models (every supported operator in int8, int16 and float32, the bundled keyword spotter,
three ONNX models; with --shared also the models under $TINYCC_MODELS) with one to three targeted
edits, each through `tinycc compile` (c backend) and, when accepted, the reference interpreter,
TF Lite Micro (worker process) and the C under ASan+UBSan, compared with TFLM. Failures are grouped
by signature (category, seed model, edit kinds, stage, place) with the first reproducer.

    python benchmarks/fuzz_structured.py [--cases 5000] [--seed 0] [--start 0] [--c-every 1]
                                         [--json FILE] [--save DIR] [--shared]
    python benchmarks/fuzz_structured.py --replay INDEX [--seed 0]
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tests import fuzz_structured as fs  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--c-every", type=int, default=1, help="build and run the sanitized C of every Nth accepted case "
                                                           "(by index; 0: never)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per in-process stage")
    ap.add_argument("--json", type=Path, help="write the counts and every failure signature here")
    ap.add_argument("--save", type=Path, help="write each failing case's model file here")
    ap.add_argument("--shared", action="store_true", help="also edit the models under $TINYCC_MODELS (default "
                                                          "../shared/models), when present; this changes every "
                                                          "case of the run: replay such cases with --shared too")
    ap.add_argument("--replay", type=int, help="run one case (by index) and print what happened")
    args = ap.parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=220)
    work = Path(tempfile.mkdtemp(prefix="tinycc-sfuzz-"))
    if args.shared:
        fs.use_shared_models()

    if args.replay is not None:
        case = fs.make_case(args.seed, args.replay)
        tflm = fs.TflmWorker()
        out = fs.run_case(case, work, tflm, timeout=args.timeout)
        tflm.close()
        console.print(f"[bold]case {args.replay} (seed {args.seed})[/]: {case.what}\n  model: "
                      f"{work / f'case{args.replay}' / ('fuzz' + fs.fuzz_cases.FORMATS[case.fmt])}\n  "
                      + ("accepted" if out.accepted else f"refused: {out.refused_message}"), highlight=False,
                      soft_wrap=True)
        for f in out.findings:
            console.print(f"[red]{f.category}[/] at {f.stage}: {f.message}", highlight=False, soft_wrap=True)
            if f.trace:
                console.print(f.trace, markup=False, highlight=False)
        return 1 if out.categories & set(fs.ASSERTED) else 0

    groups: dict = collections.OrderedDict()

    def on_outcome(out):
        for f in out.findings:
            key = fs.signature(out, f)
            if key not in groups:
                groups[key] = {"count": 0, "first": (args.seed, out.case.index), "what": out.case.what,
                               "message": f.message, "where": f.where}
                console.print(f"[red]{f.category}[/] case {out.case.index}: {out.case.what[:160]}\n    "
                              f"{f.stage}: {fs._first_line(f.message)[:240]}", highlight=False, soft_wrap=True)
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{args.seed}-{out.case.index}{fs.fuzz_cases.FORMATS[out.case.fmt]}").write_bytes(
                        out.case.data)
            groups[key]["count"] += 1
        if (out.case.index - args.start + 1) % 250 == 0:
            console.print(f"... {out.case.index - args.start + 1} cases, {time.perf_counter() - t0:.0f} s",
                          highlight=False)

    every = args.c_every
    t0 = time.perf_counter()
    tally = fs.run_cases(args.seed, args.start, args.cases, work, timeout=args.timeout, on_outcome=on_outcome,
                         build_c=lambda i: every > 0 and i % every == 0)
    table = Table(title=f"tinycc structure-aware fuzzing (seed {args.seed}, cases {args.start}.."
                        f"{args.start + args.cases - 1}, sanitized C for every {every or 'no'} accepted case)")
    for col in ("cases", "refused", "accepted", "C sanitized", *fs.CATEGORIES, "s"):
        table.add_column(col, justify="right")
    table.add_row(f"{tally.cases:,}", f"{tally.refused:,}", f"{tally.accepted:,}", f"{tally.sanitized:,}",
                  *(f"{tally.counts[c]:,}" for c in fs.CATEGORIES), f"{tally.seconds:.0f}")
    console.print(table)
    if groups:
        sig = Table(title="failure signatures (replay: --replay INDEX --seed SEED)")
        for col in ("n", "category", "seed model", "edits", "stage", "message", "first"):
            sig.add_column(col, justify="right" if col == "n" else "left", overflow="fold")
        for key, g in sorted(groups.items(), key=lambda kv: (kv[0][0], -kv[1]["count"])):
            sig.add_row(str(g["count"]), key[0], key[1], key[2], key[3], fs._first_line(g["message"])[:200],
                        f"{g['first'][0]},{g['first'][1]}")
        console.print(sig)
    if args.json:
        args.json.write_text(json.dumps({
            "seed": args.seed, "start": args.start, "cases": tally.cases, "refused": tally.refused,
            "accepted": tally.accepted, "sanitized": tally.sanitized, "counts": tally.counts,
            "seconds": round(tally.seconds, 1),
            "signatures": [{"category": k[0], "seed_model": k[1], "edits": k[2], "stage": k[3], "key": k[4], **g}
                           for k, g in groups.items()]}, indent=1))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""`tinycc sweep`: models x quantisation settings x backends x boards in one command (tinycc/sweep/).

Exit status: 0 every point ran, 1 some points failed (their errors are in the table and the files),
2 a user error in the grid itself (nothing ran).
"""
from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from tinycc.commands.common import JSON_ARG, json_out
from tinycc.core.errors import TinyccError

GRID_FLAGS = ("model", "backend", "target", "quantize", "calibration", "data")


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tinycc" / "sweep"


class _Bar:
    """One bar on the command's display (tinycc/progress_display.py) with the last point's status."""

    def __init__(self, total: int):
        from tinycc.core import progress
        display = getattr(progress, "_reporter", None)       # the CLI's rich display, None for library use
        self.progress = getattr(display, "progress", None)
        self.ok = self.failed = 0
        self.task = self.progress.add_task("sweep", total=total) if self.progress is not None else None

    def __call__(self, record: dict, cached: bool) -> None:
        if record["status"] == "ok":
            self.ok += 1
        else:
            self.failed += 1
        if self.progress is not None:
            last = (f"{record['model']} {record['setting']} {record['backend']} {record['target']}: "
                    f"{'cached' if cached else record['status']}")
            self.progress.update(self.task, advance=1,
                                 description=f"sweep ({self.ok} ok, {self.failed} failed; last {last})")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.remove_task(self.task)


def cmd_sweep(args, out: Console) -> int:
    from tinycc.sweep import pareto_html, results, spec
    from tinycc.sweep.engine import LOCAL, run_sweep
    given = [f"--{f}" for f in GRID_FLAGS if getattr(args, f) not in (None, [])]
    if args.spec:
        if given:
            raise TinyccError(f"give the grid as a sweep file or as flags, not both ({', '.join(given)} with "
                              f"{args.spec})", hint="move the flags into the file")
        grid = spec.load_toml(args.spec)
    else:
        if not args.model:
            raise TinyccError("nothing to sweep", hint="give a sweep file (tinycc sweep grid.toml) or --model FILE "
                                                       "--target BOARD (repeatable)")
        grid = spec.from_flags(args.model, args.backend, args.target, args.quantize, args.calibration, args.data,
                               args.latency)
    if args.jobs is not None and args.jobs < 1:
        raise TinyccError(f"--jobs must be 1 or more, not {args.jobs}")
    if args.ray is not LOCAL and args.jobs is not None:
        raise TinyccError("--jobs sizes the local pool; a Ray cluster has its own CPUs", hint="drop --jobs")
    points = len(grid.grid())
    bar = _Bar(points)
    try:
        records, computed = run_sweep(grid, args.cache or default_cache(), jobs=args.jobs,
                                      ray=args.ray or None if args.ray is not LOCAL else LOCAL, on_result=bar)
    finally:
        bar.close()
    source = {Path(m).name: m for m in grid.models}
    cal = {s.name: s.calibration or grid.data for s in grid.settings}
    commands = {r["key"]: results.command(r, source.get(r["model"], r["model"]), cal.get(r["setting"]))
                for r in records}
    if args.csv:
        results.write_csv(records, args.csv)
    title = f"tinycc sweep: {len(grid.models)} models x {len(grid.settings)} settings x {len(grid.backends)} " \
            f"backends x {len(grid.targets)} boards"
    if args.html:
        pareto_html.write_html(records, args.html, commands, title)
    failed = any(r["status"] != "ok" for r in records)
    if json_out(args.json, records):
        return 1 if failed else 0
    results.print_results(records, out, title, computed)
    for board, recs in sorted(pareto_html.by_board(records).items()):
        choice = pareto_html.best(recs)
        if choice is not None:
            out.print(f"best on {board}: {choice['model']} {choice['setting']} {choice['backend']}: "
                      f"{commands[choice['key']]}", soft_wrap=True, highlight=False, markup=False)
    for what, dest in (("CSV", args.csv), ("HTML page", args.html)):
        if dest:
            out.print(f"{what} written to {dest}", soft_wrap=True, highlight=False, markup=False)
    return 1 if failed else 0


def add_parser(sub, reg):
    """The `sweep` subcommand's parser."""
    from tinycc.sweep.engine import LOCAL
    sw = sub.add_parser("sweep", help="models x quantisation x backends x boards: budget, latency, accuracy, power; "
                                      "local or on Ray, cached",
                        description="Exit status: 0 every point ran, 1 some points failed, 2 user error.")
    sw.add_argument("spec", nargs="?", help="a sweep file (TOML: models, quantize, backends, targets, data); "
                                            "or give the grid with the flags below")
    sw.add_argument("--model", "-m", action="append", help="a model file (repeatable)")
    sw.add_argument("--backend", "-b", action="append", help="a backend (repeatable; default c)")
    sw.add_argument("--target", "-t", action="append", help="a board of `tinycc targets` (repeatable)")
    sw.add_argument("--quantize", "-q", action="append", metavar="SETTING",
                    help="none, int8 or int8:METHOD (minmax, percentile, mse, kl), repeatable (default none)")
    sw.add_argument("--calibration", help="samples for the int8 settings (default: the --data inputs)")
    sw.add_argument("--data", help=".npz evaluation set: the model's inputs (as --calibration) and optional labels")
    sw.add_argument("--latency", choices=("auto", "qemu", "macs"), default="auto",
                    help="auto: counted under QEMU where the board's core is emulated, else estimated from MACs x "
                         "the backend's cycles per MAC measured on the Cortex-M4 (default); each record's "
                         "latency_source says which")
    sw.add_argument("--jobs", "-j", type=int, help="local worker processes (default: the cores)")
    sw.add_argument("--ray", nargs="?", const="", default=LOCAL, metavar="ADDRESS",
                    help="run the points as Ray tasks (pip install 'tinycc-ml[ray]'): on the cluster at ADDRESS, "
                         "or the one ray.init() finds")
    sw.add_argument("--cache", metavar="DIR", help=f"finished points by content hash (default {default_cache()})")
    sw.add_argument("--json", **JSON_ARG)
    sw.add_argument("--csv", metavar="FILE", help="also write the records as CSV")
    sw.add_argument("--html", metavar="FILE", help="also write an HTML page: Pareto fronts per board, best points")
    sw.set_defaults(func=cmd_sweep)
    return sw

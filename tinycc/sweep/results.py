"""A sweep's records for people and programs: the rich table, --json, --csv, the failures, and the
`tinycc compile` command that reproduces a point."""
from __future__ import annotations

import csv
import json
import shlex
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import fmt_bytes, make_table, show
from tinycc.report import fmt_seconds
from tinycc.sweep.points import FIELDS


def accuracy(r: dict) -> float | None:
    """The accuracy a point is ranked by: against the labels when given, else top-1 agreement with float."""
    return r.get("label_accuracy") if r.get("label_accuracy") is not None else r.get("top1_agreement")


# the table's short name for each latency_source (points.latency_source)
SOURCE = {"cycle model": "cycles", "qemu instructions": "insns", "MAC estimate": "MACs"}


def _pct(x) -> str:
    return "-" if x is None else f"{x:.1%}"


def table(records: list[dict], title: str, wide: bool = False):
    """One board's points; `wide` adds cycles, instructions, power and battery life (always in --json,
    --csv, --html)."""
    labelled = any(r.get("label_accuracy") is not None for r in records)
    cols: tuple[str, ...] = ("model", "setting", "backend", "status", "SRAM", "flash", "latency", "from",
                             "acc." if labelled else "top-1")
    if wide:
        cols += ("top-1",) if labelled else ()
        cols += ("cycles", "insns", "mW", "battery d")
    right = ("SRAM", "flash", "latency", "top-1", "acc.", "cycles", "insns", "mW", "battery d")
    t = make_table(title, cols, keys=("backend", "status"), right=right)
    for r in records:
        ok = r["status"] == "ok"
        if not ok:
            status = "[bold red]error[/bold red]"
        else:
            status = "[green]fits[/green]" if r["fits"] else "[yellow]over[/yellow]"
        row = [escape(r["model"]), escape(r["setting"]), r["backend"], status,
               fmt_bytes(r["peak_sram_bytes"]) if ok else "-", fmt_bytes(r["flash_bytes"]) if ok else "-",
               fmt_seconds(r["latency_s"]) + ("~" if r.get("latency_source") == "MAC estimate" else "") if ok else "-",
               SOURCE.get(r.get("latency_source") or "", "-") if ok else "-",
               _pct(r.get("label_accuracy") if labelled else r.get("top1_agreement"))]
        if wide:
            row += [_pct(r.get("top1_agreement"))] if labelled else []
            row += [fmt_bytes(r["cycles"]) if r.get("cycles") is not None else "-",
                    fmt_bytes(r["instructions"]) if r.get("instructions") is not None else "-",
                    f"{r['average_mw']:.3g}" if r.get("average_mw") is not None else "-",
                    f"{r['battery_days']:,.0f}" if r.get("battery_days") is not None else "-"]
        t.add_row(*row)
    return t


def print_results(records: list[dict], out: Console, title: str, computed: int) -> None:
    out.print(escape(title), highlight=False)
    boards: dict[str, list[dict]] = {}
    for r in records:
        boards.setdefault(r["target"], []).append(r)
    for board, recs in boards.items():
        show(out, table(recs, f"on {board}", wide=out.width >= 130))
    out.print("latency from: cycles (instructions counted under QEMU, timed by the core's cycle model: Cortex-M4, "
              "Cortex-M0+ or Cortex-M55), insns (counted under QEMU on a core without a cycle model: one instruction "
              "a cycle assumed), MACs and ~ (a core QEMU does not run: an estimate, MACs x the backend's cycles per "
              "MAC measured on the Cortex-M4); SRAM: peak, arena + state + I/O buffers; top-1: agreement with the "
              "float model; acc.: against the labels; over: does not fit the board (the verdict is in --json); "
              "cycles, instructions, mW and battery days (the seed's §10.1 model) in a console 130 columns wide "
              "and in --json, --csv and --html", soft_wrap=True, highlight=False)
    failed = [r for r in records if r["status"] != "ok"]
    out.print(f"{len(records)} points: {len(records) - len(failed)} ok, {len(failed)} failed; "
              f"{computed} computed, {len(records) - computed} from the cache", highlight=False)
    if failed:
        out.print("[bold red]failed points[/bold red] (model setting backend board), by error:")
        by_error: dict[str, list[dict]] = {}
        for r in failed:
            by_error.setdefault(f"{r['status']}: {r['error']}", []).append(r)
        for error, recs in by_error.items():
            names = "; ".join(f"{r['model']} {r['setting']} {r['backend']} {r['target']}" for r in recs)
            out.print(f"  {escape(names)}\n    {escape(error)}", soft_wrap=True, highlight=False)


def write_json(records: list[dict], dest) -> None:
    Path(dest).write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")


def write_csv(records: list[dict], dest) -> None:
    with open(dest, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(FIELDS))
        w.writeheader()
        for r in records:
            w.writerow({k: json.dumps(r[k], sort_keys=True) if isinstance(r.get(k), dict) else r.get(k)
                        for k in FIELDS})


def command(r: dict, model_path: str, calibration: str | None) -> str:
    """The `tinycc compile` command that builds this point (`calibration`: the samples the sweep used)."""
    o = r["options"]
    args = ["tinycc", "compile", model_path, "--backend", r["backend"], "--target", r["target"],
            "-o", f"{Path(model_path).stem}-{r['backend']}-{r['target']}"]
    if o.get("quantize") == "int8":
        args += ["--quantize", "int8", "--calibration", calibration or "CALIBRATION.npz"]
        if o.get("calibration_method"):
            args += ["--calibration-method", o["calibration_method"]]
        if o.get("io"):
            args += ["--io", o["io"]]
        if o.get("bias_correction"):
            args.append("--bias-correction")
        if o.get("int16_layers"):
            args += ["--int16-activations", ",".join(o["int16_layers"])]
    else:
        args += ["--quantize", "none"]
    if o.get("patch_tiles"):
        args += ["--patch-tiles", str(o["patch_tiles"])]
    return shlex.join(args)

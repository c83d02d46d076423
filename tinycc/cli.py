"""The `tinycc` command: compile, inspect, build, run, bench, compare, targets, report, plugins.

User errors (TinyccError) print one message and exit with status 2, never a traceback.
Every command that prints a table also takes `--json [FILE]`: the same data as JSON, printed
instead of the tables (no FILE, or `-`) or written to FILE besides them. Tables wrap instead of
cutting: board slugs, names and paths stay whole at 80 columns and in pipes. `--target` takes a
board slug or a core name from `tinycc targets` in every command.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import tinycc
from tinycc.core import progress
from tinycc.core.errors import TinyccError
from tinycc.progress_display import RichReporter


def _bytes(n) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


def make_table(title: str, columns=(), *, show_header: bool = True, keys=(), right=(), min_widths=None,
               split: str | None = None) -> Table:
    """A table that never cuts a cell: columns in `keys` (slugs, op names) and numbers (`right`)
    keep their text whole, the others wrap, and anything still too wide folds onto the next line
    rather than ending in an ellipsis. `split` names a free-text column (layer names) that `show`
    moves into a table of its own when the console is too narrow for both."""
    table = Table(show_header=show_header, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.heading, table.split = title, split
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left", overflow="fold",
                         no_wrap=col in keys or col in right,
                         min_width=(min_widths or {}).get(col, 16 if col == split else None))
    return table


def _subtable(table: Table, keep: list[int]) -> Table:
    sub = Table(show_header=table.show_header, box=table.box, show_edge=False, pad_edge=False)
    for i in keep:
        c = table.columns[i]
        sub.add_column(c.header, justify=c.justify, overflow=c.overflow, no_wrap=c.no_wrap)
    for r in range(table.row_count):
        sub.add_row(*[list(table.columns[i].cells)[r] for i in keep])
    return sub


def show(out: Console, table: Table) -> None:
    """The table's heading, wrapped between words (one unbroken line when a word, a path, is wider
    than the console: the terminal wraps it, a pipe gets it whole), then the table; when the console is too narrow for every column,
    the `split` column follows in a second table keyed by the first column, so no column is
    dropped or cut."""
    from rich.measure import Measurement
    long_word = max(map(len, table.heading.split()), default=0) > out.width      # a path: one unbroken line
    out.print(escape(table.heading), soft_wrap=long_word, highlight=False)
    headers = [c.header for c in table.columns]
    unclamped = out.options.update(max_width=1 << 16)      # the width the columns need, not what is there
    if table.split in headers and Measurement.get(out, unclamped, table).minimum > out.width:
        s = headers.index(table.split)
        out.print(_subtable(table, [i for i in range(len(headers)) if i != s]))
        out.print(_subtable(table, [0, s]))
        return
    out.print(table)


def json_out(dest, data) -> bool:
    """--json: True when `data` went to stdout instead of the tables (no FILE, or '-'); with a
    FILE, write it there and return False (the tables follow)."""
    if not dest:
        return False
    text = json.dumps(data, indent=2, sort_keys=True, default=str)
    if dest == "-":
        print(text)
        return True
    Path(dest).write_text(text + "\n")
    return False


def print_notes(notes, out: Console, to_stderr: bool = False) -> None:
    console = Console(stderr=True) if to_stderr else out
    for note in notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False, soft_wrap=True)


def board_slug(name: str, command: str) -> str:
    """A `--target` that must be a board (its flash and SRAM): a core name is explained, not guessed."""
    from tinycc.boards import board, load_boards
    from tinycc.cortexm import TARGETS
    core = name.removeprefix("qemu-")
    boards = load_boards()
    if name not in boards and core in TARGETS:
        same = [s for s, b in sorted(boards.items()) if b["core"] == core]
        raise TinyccError(f"{core} is a core, not a board: {command} budgets against a board's flash and SRAM",
                          hint=f"boards with a {core}: {', '.join(same) or 'none'} (`tinycc targets`; "
                               "add your own with $TINYCC_BOARDS)")
    board(name)                     # unknown boards: the board database's own error
    return name


def check_options(args, backend: str) -> None:
    """Refuse options the chosen backend, importer or (missing) quantisation would ignore: a
    backend's declared options (core/backend.py) anywhere else would be ignored."""
    from tinycc.core.backend import accepted_options
    from tinycc.core.plugins import registry
    reg = registry()
    accepted = accepted_options(reg.get("backend", backend))    # its own, and others' it reads too
    backends = set(reg.names("backend"))
    for opt, owners in reg.options(getattr(args, "command", None) or "compile"):
        owners = [o for o in owners if o in backends]
        if owners and getattr(args, opt.dest, None) and opt.dest not in accepted:
            raise TinyccError(f"{opt.flag} applies to the {' and '.join(owners)} backend, not {backend}",
                              hint=f"drop {opt.flag}, or compile with --backend {owners[0]}")
    quantising = getattr(args, "quantize", None) == "int8" or (
        args.calibration is not None and getattr(args, "quantize", None) != "none")
    if args.calibration is not None and getattr(args, "quantize", None) == "none":
        raise TinyccError("--calibration with --quantize none: the samples would not be used",
                          hint="drop one of the two")
    for key, flag in (("calibration_method", "--calibration-method"), ("int16_activations", "--int16-activations"),
                      ("io", "--io")):
        if getattr(args, key, None) and not quantising:
            raise TinyccError(f"{flag} applies when tinycc quantises a float model, and nothing is quantised here",
                              hint="add --calibration data.npz (input samples, first axis = samples); a model "
                                   "quantised before keeps its own input and output types")
    if getattr(args, "io_layout", None) not in (None, "source"):
        imp = registry().importer_for(args.model) if Path(args.model).exists() else None
        if imp is not None and imp.name not in ("onnx", "torch"):
            raise TinyccError(f"--io-layout applies to NCHW models (ONNX, PyTorch); {imp.name} models are NHWC already",
                              file=str(args.model), hint="drop --io-layout")


def cmd_compile(args, out: Console) -> int:
    from tinycc.driver import compile_model
    from tinycc.core.plugins import registry
    check_options(args, args.backend)
    target = board_slug(args.target, "compile --target") if args.target else None
    options = {"quantize": args.quantize, "calibration": args.calibration,
               "calibration_method": args.calibration_method, "io": args.io,
               "int16_layers": (args.int16_activations or "").split(",") if args.int16_activations else [],
               "io_layout": args.io_layout, "board": target,
               **{opt.dest: getattr(args, opt.dest, None) for opt, _ in registry().options("compile")},
               "target": target, "patch_tiles": args.patch_tiles}
    report = compile_model(args.model, args.backend, args.output, name=args.name, force=args.force,
                           options=options)
    if json_out(args.json, report):
        print_notes(report.get("notes", []), out, to_stderr=True)
        return 0
    print_notes(report.get("notes", []), out)
    if "verify" in report:
        out.print(f"[green]verify: passed[/green] ({escape(report['verify']['what'])})", highlight=False,
                  soft_wrap=True)
    table = make_table(f"tinycc compile: {args.model} -> {args.output} ({args.backend})", show_header=False)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    table.add_row("files", ", ".join(report.get("files", [])))
    floats = "io_int8_bytes" in report
    for key, label in (("arena_bytes", "arena (SRAM)"), ("bound_bytes", "arena lower bound"),
                       ("input_bytes", "input buffers (SRAM, caller)" + (", float32" if floats else "")),
                       ("output_bytes", "output buffers (SRAM, caller)" + (", float32" if floats else "")),
                       ("io_int8_bytes", "input + output buffers with --io int8"),
                       ("flash_weights_bytes", "weights + constants (flash)"), ("flash_bytes", "flatbuffer (flash)"),
                       ("tflm_measured_arena_bytes", "TFLM measured arena"),
                       ("tflm_arena_without_offline_plan", "TFLM arena without tinycc's plan"),
                       ("macs", "MACs per inference")):
        if key in report:
            table.add_row(label, _bytes(report[key]))
    if "arena_bytes" in report:
        peak = report["arena_bytes"] + report.get("input_bytes", 0) + report.get("output_bytes", 0)
        table.add_row("peak SRAM (arena + I/O)", _bytes(peak))
    show(out, table)
    if "accuracy" in report:
        print_accuracy(report["accuracy"], out)
    return 0


def print_accuracy(acc: dict, out: Console, worst: int = 5) -> None:
    """float vs int8 on the calibration samples: per output, then the layers that lose most."""
    table = make_table(f"int8 vs float on {acc['samples']} calibration samples",
                       ("output", "top-1 agreement", "max |error|", "SQNR dB"),
                       right=("top-1 agreement", "max |error|", "SQNR dB"), split="output")
    for o in acc["outputs"]:
        top1 = f"{o['top1_agreement']:.1%}" if "top1_agreement" in o else "-"
        table.add_row(escape(o["output"]), top1, f"{o['max_abs_error']:.4g}", f"{o['sqnr_db']:.1f}")
    show(out, table)
    layers = make_table("layers losing most (lowest SQNR; keep them in int16 if accuracy suffers)",
                        ("node", "op", "SQNR dB"), keys=("op",), right=("SQNR dB",), split="node")
    for l in acc["layers"][:worst]:
        layers.add_row(escape(l["node"]), l["op"], f"{l['sqnr_db']:.1f}")
    show(out, layers)


def cmd_inspect(args, out: Console) -> int:
    from tinycc.driver import inspect_model, load_model
    info = inspect_model(load_model(args.model))
    if json_out(args.json, info):
        return 0
    cols = ("#", "op", "name", "output", "dtype", "MACs", "params B", "live B", "offset")
    table = make_table(f"tinycc inspect: {args.model} (params B: constant bytes; live B: arena bytes live)", cols,
                       keys=("op", "output", "dtype"), right=("#", "MACs", "params B", "live B", "offset"),
                       split="name")
    for l in info["layers"]:
        table.add_row(str(l["index"]), l["op"], escape(l["name"]), "x".join(map(str, l["output"])), l["dtype"],
                      _bytes(l["macs"]), _bytes(l["param_bytes"]), _bytes(l["live_arena_bytes"]), str(l["offset"]))
    show(out, table)
    out.print(f"arena {info['arena_bytes']:,} bytes (bound {info['bound_bytes']:,}, plan '{info['strategy']}'); "
              f"inputs {info['input_bytes']:,} + outputs {info['output_bytes']:,} bytes in caller buffers; "
              f"weights {info['weights_bytes']:,} bytes; {info['macs']:,} MACs")
    return 0


def cmd_plugins(args, out: Console) -> int:
    from tinycc.core.plugins import registry
    reg = registry()
    data = {"plugins": [{"kind": i.kind, "name": i.name, "origin": i.origin, "description": i.description}
                        for i in reg.all()], "load_errors": list(reg.load_errors)}
    if json_out(args.json, data):
        return 0
    table = make_table("tinycc plugins", ("kind", "name", "origin", "description"), keys=("kind", "name"))
    for p in data["plugins"]:
        table.add_row(p["kind"], p["name"], escape(p["origin"]), escape(p["description"]))
    show(out, table)
    for err in reg.load_errors:
        out.print(f"[yellow]plugin failed to load:[/yellow] {escape(err)}", soft_wrap=True)
    return 0


def build_table(title: str, report: dict, first=()) -> Table:
    table = make_table(title, show_header=False)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for row in first:
        table.add_row(*row)
    table.add_row("flash (text + rodata + data)", _bytes(report["flash_bytes"]))
    table.add_row("static RAM (data + bss)", _bytes(report["static_ram_bytes"]))
    table.add_row("largest stack frame", _bytes(report["max_frame_stack_bytes"]))
    return table


def cmd_build(args, out: Console) -> int:
    from tinycc import cortexm
    report = cortexm.build(args.folder, cortexm.core_of(args.target), cmsis_nn=args.cmsis_nn)
    if json_out(args.json, report):
        print_notes(report["notes"], out, to_stderr=True)
        return 0
    print_notes(report["notes"], out)
    table = build_table(f"tinycc build: {args.folder} for {report['target']}", report)
    table.add_row("worst-case stack (call graph from main)", _bytes(report["worst_case_stack_bytes"]))
    show(out, table)
    out.print(f"program: {escape(report['elf'])}", soft_wrap=True, highlight=False)
    return 0


def cmd_run(args, out: Console) -> int:
    import numpy as np
    from tinycc import cortexm
    from tinycc.array_files import Input, load_one
    core = cortexm.core_of(args.target)
    layout = cortexm.io_layout(args.folder, cortexm.model_name(args.folder))     # inputs checked before building
    xs = load_one(args.input, [Input(f"arr_{k}", shape, dtype, f"input {k}")
                               for k, (shape, dtype) in enumerate(layout["input"])])
    report = cortexm.build(args.folder, core, cmsis_nn=args.cmsis_nn)
    outs = cortexm.run(report["elf"], core, [xs], layout["output"])[0]
    if args.output.endswith(".npz"):
        np.savez(args.output, *outs)
    else:
        np.save(args.output, outs[0])
    data = {"name": report["name"], "target": core, "machine": cortexm.TARGETS[core].machine, "written": args.output,
            "outputs": [{"shape": list(np.shape(o)), "dtype": str(np.asarray(o).dtype)} for o in outs],
            "notes": report["notes"]}
    if json_out(args.json, data):
        print_notes(report["notes"], out, to_stderr=True)
        return 0
    print_notes(report["notes"], out)
    out.print(f"ran {report['name']} on {core} under QEMU: {len(outs)} output(s) written to {escape(args.output)}",
              highlight=False, soft_wrap=True)
    return 0


def cmd_bench(args, out: Console) -> int:
    import numpy as np
    from tinycc import cortexm
    from tinycc.core.samples import random_tensor
    core = cortexm.core_of(args.target)
    flags = ("-DTINYCC_PROFILE_LAYERS",) if args.per_layer else ()
    report = cortexm.build(args.folder, core, extra_flags=flags, cmsis_nn=args.cmsis_nn)
    layout = cortexm.io_layout(args.folder, report["name"])
    rng = np.random.default_rng(0)
    samples = [[random_tensor(rng, shape, dtype) for shape, dtype in layout["input"]] for _ in range(args.samples)]
    rows = None
    if args.per_layer:
        layers = cortexm.layers(args.folder, report["name"])
        if not layers:
            raise TinyccError("this model's code has no layer marks", file=args.folder,
                              hint="per-layer counts need code from the c, cmsis-nn or microtvm (int8) backend; "
                                   "recompile the folder with this tinycc")
        _, insns, parts = cortexm.run(report["elf"], core, samples, layout["output"], count=True, per_layer=True)
        parts = parts + [0] * (len(layers) + 1 - len(parts))
        rows = [{"index": None, "op": "(entry)", "name": "argument checks", "instructions": parts[0]}]
        rows += [{"index": i, "op": op, "name": node, "instructions": n}
                 for i, ((op, node), n) in enumerate(zip(layers, parts[1:]))]
    else:
        _, insns = cortexm.run(report["elf"], core, samples, layout["output"], count=True)
    data = {"folder": args.folder, "target": core, "samples": args.samples, "instructions_per_inference": insns,
            "flash_bytes": report["flash_bytes"], "static_ram_bytes": report["static_ram_bytes"],
            "max_frame_stack_bytes": report["max_frame_stack_bytes"], "elf": report["elf"], "layers": rows,
            "notes": report["notes"]}
    if json_out(args.json, data):
        print_notes(report["notes"], out, to_stderr=True)
        return 0
    print_notes(report["notes"], out)
    if rows is not None:
        per = make_table("instructions per layer (profiling build, -DTINYCC_PROFILE_LAYERS)",
                         ("#", "op", "name", "instructions", "share"), keys=("op",),
                         right=("#", "instructions", "share"), split="name")
        for r in rows:
            per.add_row("" if r["index"] is None else str(r["index"]), r["op"], escape(r["name"]),
                        _bytes(r["instructions"]), f"{r['instructions'] / max(insns, 1):.1%}")
        show(out, per)
    show(out, build_table(f"tinycc bench: {args.folder} on {core} under QEMU ({args.samples} random inputs)", report,
                          first=[("instructions per inference", _bytes(insns))]))
    out.print(f"program: {escape(report['elf'])}", soft_wrap=True, highlight=False)
    return 0


def cmd_compare(args, out: Console) -> int:
    import numpy as np
    from tinycc.compare import compare, random_samples
    from tinycc.core.plugins import registry
    from tinycc.driver import load_model, optimize_model
    g = optimize_model(load_model(args.model))
    reg = registry()
    runtimes = [reg.get("runtime", name.strip()) for name in args.runtimes.split(",") if name.strip()]
    if args.inputs:
        from tinycc.array_files import Input, load_samples
        arrays = load_samples(args.inputs, [Input(n, tuple(g.tensors[n].shape), g.tensors[n].dtype) for n in g.inputs],
                              what="input array", by_order=True)
        samples = [[a[k] for a in arrays] for k in range(min(len(a) for a in arrays))]
    else:
        samples = random_samples(g, args.samples, args.seed)
    result = compare(g, runtimes, samples, baseline=args.baseline, per_layer=args.per_layer)
    to_stdout = json_out(args.json, result)
    skipped = Console(stderr=True) if to_stdout else out
    for name, reason in result["skipped"].items():
        skipped.print(f"[yellow]skipped {name}:[/yellow] {escape(reason)}", highlight=False, soft_wrap=True)
    if to_stdout:
        return 0
    cols = ("runtime", "output", "max |error|", "mismatching", "top-1 agreement", "bit-exact")
    table = make_table(f"tinycc compare: {args.model}, {len(samples)} samples, baseline {result['baseline']}", cols,
                       keys=("runtime",), right=cols[2:], split="output")
    for r in result["results"]:
        table.add_row(r["runtime"], escape(r["output"]), f"{r['max_abs_error']:.4g}",
                      f"{r['mismatches']}/{r['elements']}", f"{r['top1_agreement']:.0%}", "yes" if r["bit_exact"] else "NO")
    show(out, table)
    for name, layers in result.get("per_layer", {}).items():
        print_layers(name, result["baseline"], layers, out)
    return 0


def print_layers(name: str, baseline: str, layers: dict, out: Console) -> None:
    """The per-layer comparison of one runtime: the first diverging layer, then every layer."""
    if "skipped" in layers:
        out.print(f"[yellow]per layer, {name}:[/yellow] {layers['skipped']}", highlight=False)
        return
    first = layers["first_divergence"]
    if first is None:
        out.print(f"per layer, {name} vs {baseline}: no layer diverges ({len(layers['layers'])} compared)",
                  highlight=False)
    else:
        out.print(f"per layer, {name} vs {baseline}: first divergence at layer #{first['index']} "
                  f"{first['layer']!r} ({first['op']}), max |error| {first['max_abs_error']:.4g}, "
                  f"{first['mismatches']}/{first['elements']} elements differ", highlight=False)
    if first is None:
        return
    table = make_table(f"{name} vs {baseline}, layer by layer", ("#", "layer", "op", "max |error|", "mismatching", ""),
                       keys=("op",), right=("#", "max |error|", "mismatching"), split="layer")
    for r in layers["layers"]:
        table.add_row(str(r["index"]), escape(r["layer"]), r["op"], f"{r['max_abs_error']:.4g}",
                      f"{r['mismatches']}/{r['elements']}", "<- first" if r is first else "")
    show(out, table)


def cmd_targets(args, out: Console) -> int:
    from tinycc.boards import load_boards
    from tinycc.cortexm import TARGETS
    boards = load_boards()
    data = {"boards": {slug: {**b, "buildable": b["core"] in TARGETS} for slug, b in sorted(boards.items())},
            "cores": {core: {"qemu_machine": t.machine, "boards": [s for s, b in sorted(boards.items()) if b["core"] == core]}
                      for core, t in TARGETS.items()}}
    if json_out(args.json, data):
        return 0
    cols = ("target", "board", "core", "MHz", "SRAM", "flash")
    table = make_table("tinycc targets: boards, memory in KB (compile, report, build, run, bench; add your own with "
                       "$TINYCC_BOARDS)", cols, keys=("target", "core"), right=("MHz", "SRAM", "flash"),
                       min_widths={"board": max([len(w) for b in boards.values() for w in b["title"].split()] + [5])})
    for slug, b in data["boards"].items():
        table.add_row(slug, escape(b["title"]), b["core"], f"{b['clock_mhz']:g}", f"{b['sram_kb']:,}", f"{b['flash_kb']:,}")
    show(out, table)
    cores = make_table("tinycc targets: cores (build, run, bench; `qemu-CORE` also accepted)",
                       ("target", "QEMU machine", "boards with it"), keys=("target", "QEMU machine"))
    for core, c in data["cores"].items():
        cores.add_row(core, c["qemu_machine"] or "none (build only)", ", ".join(c["boards"]) or "-")
    show(out, cores)
    return 0


def cmd_report(args, out: Console) -> int:
    from tinycc.report import fmt_seconds, make_report
    check_options(args, args.backend)
    rep = make_report(args.model, board_slug(args.target, "report"), args.backend,
                      stack_bytes=round(args.stack_kb * 1024),
                      latency_mode=args.latency, cycles_per_mac=args.cycles_per_mac, duty_cycle=args.duty_cycle,
                      rate_hz=args.rate, battery_mah=args.battery_mah, battery_v=args.battery_v,
                      active_mw=args.active_mw, sleep_mw=args.sleep_mw, extra_mw=args.extra_mw, cmsis_nn=args.cmsis_nn,
                      patch_tiles=args.patch_tiles, quantize={"calibration": args.calibration, "io": args.io})
    if args.html:
        from tinycc.report_html import write_html
        write_html(rep, args.html)
    if json_out(args.json, rep):
        return 0 if rep["fits"] else 1
    b, fl, sr = rep["board"], rep["flash"], rep["sram"]
    budget = make_table(f"tinycc report: {args.model} ({args.backend}) on {b['slug']} "
                        f"({b['title']}, {b['core']} at {b['clock_mhz']} MHz)", ("budget", "item", "bytes", "how"),
                        right=("bytes",))

    def ok(good: bool, text: str) -> str:
        return f"[green]{text}[/green]" if good else f"[bold red]{text}[/bold red]"

    budget.add_row("flash", f"model ({fl['what']})", _bytes(fl["model_bytes"]),
                   f"{fl['share']:.1%} of {fl['board_bytes']:,} B flash")
    budget.add_row("flash", "budget: under 50% of flash", _bytes(fl["limit_bytes"]),
                   ok(fl["ok"], "within" if fl["ok"] else f"over by {fl['model_bytes'] - fl['limit_bytes']:,} B"))
    for key, label, how in (("arena_bytes", "arena", sr["arena_what"]), ("margin_bytes", "margin", sr["margin_what"]),
                            ("input_bytes", "input buffers", sr["io_what"]),
                            ("output_bytes", "output buffers", sr["io_what"]),
                            ("stack_bytes", "stack + heap reserve", "--stack-kb")):
        budget.add_row("SRAM", label, _bytes(sr[key]), escape(how))
    budget.add_row("SRAM", f"total, of {sr['board_bytes']:,} B SRAM", _bytes(sr["total_bytes"]),
                   ok(sr["ok"], f"{sr['headroom_bytes']:,} B left" if sr["ok"] else f"over by {-sr['headroom_bytes']:,} B"))
    show(out, budget)
    timed = all("seconds" in l for l in rep["layers"]) and rep["layers"]
    cols = ("#", "op", "name", "output", "MACs", "weights", "live bytes", "offset") + (("time",) if timed else ())
    layers = make_table(f"layers ({rep['plan']['what']})", cols, keys=("op",),
                        right=[c for c in cols if c not in ("op", "name", "output")], split="name")
    for l in rep["layers"]:
        layers.add_row(str(l["index"]), l["op"], escape(l["name"]), "x".join(map(str, l["output"])) + " " + l["dtype"],
                       _bytes(l["macs"]), _bytes(l["weights_bytes"]), _bytes(l["live_bytes"]),
                       "-" if l["offset"] is None else str(l["offset"]),
                       *((fmt_seconds(l["seconds"]),) if timed else ()))
    show(out, layers)
    lat = rep["latency"]
    out.print(f"latency: {fmt_seconds(lat['seconds'])} per inference, {escape(lat['basis'])}", soft_wrap=True)
    if lat.get("why_not_measured"):
        out.print(f"  (not measured: {escape(lat['why_not_measured'])})", soft_wrap=True)
    if rep["build"]:
        out.print(f"measured build: {rep['build']['program_flash_bytes']:,} B flash (model + runner + C library), "
                  f"worst-case stack of the model code {rep['build']['worst_case_stack_bytes']:,} B", soft_wrap=True)
    p = rep["power"]
    if p:
        power = make_table("power (seed §10.1)", ("component", "power mW", "duty cycle", "average mW"),
                           right=("power mW", "duty cycle", "average mW"))
        power.add_row("MCU, inference", f"{p['active_mw']:g}", f"{p['duty_cycle']:.2%}", f"{p['mcu_active_avg_mw']:.4g}")
        power.add_row("MCU, deep sleep", f"{p['sleep_mw']:g}", f"{1 - p['duty_cycle']:.2%}", f"{p['mcu_sleep_avg_mw']:.4g}")
        if p["extra_mw"]:
            power.add_row("other components (--extra-mw)", "", "", f"{p['extra_mw']:.4g}")
        power.add_row("[bold]total average[/bold]", "", "", f"[bold]{p['average_mw']:.4g}[/bold]")
        show(out, power)
        out.print(f"duty cycle: {p['duty_cycle']:.2%} ({escape(p['duty_what'])})", soft_wrap=True)
        if p.get("battery_mah"):
            life = (f"{p['battery_hours']:,.0f} hours ({p['battery_days']:,.1f} days)" if p["battery_hours"] is not None
                    else "no finite figure (nothing draws power)")
            out.print(f"battery: {p['battery_mah']:g} mAh x {p['battery_v']:g} V = {p['battery_mwh']:,.0f} mWh -> {life}",
                      soft_wrap=True)
    for note in rep["notes"]:
        out.print(f"[yellow]note:[/yellow] {escape(note)}", soft_wrap=True)
    if args.html:
        out.print(f"HTML report written to {escape(args.html)}", soft_wrap=True)
    out.print("verdict: " + ok(rep["fits"], escape(rep["verdict"])), soft_wrap=True)
    return 0 if rep["fits"] else 1


JSON_ARG = {"nargs": "?", "const": "-", "metavar": "FILE",
            "help": "the results as JSON: printed instead of the tables (no FILE, or -), or also written to FILE"}
TARGET_HELP = "a board slug or a core name of `tinycc targets`"
CMSIS_HELP = ("CMSIS-NN source tree for cmsis-nn outputs (default: $CMSIS_NN_PATH, else tinycc fetches Arm's "
              "Apache-2.0 sources once into its user cache)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tinycc", description="TinyML compiler: trained models in, firmware C out.")
    p.add_argument("--version", action="version", version=f"tinycc {tinycc.__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    from tinycc.core.plugins import registry
    reg = registry()
    c = sub.add_parser("compile", help="compile a model for a backend")
    c.add_argument("model")
    c.add_argument("--backend", "-b", default="c", help="backend name (see `tinycc plugins`), default c")
    c.add_argument("--output", "-o", required=True, help="output folder (created; replaced only with --force)")
    c.add_argument("--name", default="model", help="C symbol prefix and file name, default model")
    c.add_argument("--force", action="store_true", help="replace an existing output folder")
    c.add_argument("--json", **JSON_ARG)
    c.add_argument("--quantize", choices=("int8", "none"),
                   help="post-training quantisation of a float model (default: int8 when --calibration is given)")
    c.add_argument("--calibration", help=".npz of input samples (one array per input, first axis = samples)")
    c.add_argument("--calibration-method", choices=("minmax", "percentile"),
                   help="activation range from min/max (default) or the 99.99th percentile")
    c.add_argument("--int16-activations", metavar="LAYER,...",
                   help="layers to run with int16 activations (16x8): node names, output tensor names or "
                        "their # in `tinycc inspect`")
    c.add_argument("--patch-tiles", type=int, metavar="N",
                   help="patch-based execution: compute the first, high-resolution layers in N row bands so "
                        "their activations never exist whole (smaller arena, some recomputed rows)")
    c.add_argument("--io-layout", choices=("source", "nhwc"), default="source",
                   help="4-D inputs/outputs of NCHW models (ONNX, PyTorch): as the source model has them "
                        "(default), or NHWC, saving the transposes at the edges")
    c.add_argument("--target", "--board", dest="target", metavar="BOARD",
                   help="a board of `tinycc targets`: fail (and write nothing) unless the model fits its flash and "
                        "SRAM by the seed's budget rules (`tinycc report` explains); the README budgets against it, "
                        "the tflm backend adds an Arduino sketch for boards with an Arduino core, stm32cubeai takes "
                        "an STM32 board as its part (--board is the old spelling)")
    reg.add_options("compile", c)          # the backends' own options (core/backend.py), then plugins' hooks
    c.add_argument("--io", choices=("float", "int8"),
                   help="inputs and outputs of the model tinycc quantises: float32 (default) or int8 (a quarter "
                        "of the SRAM; the compile report shows both)")
    c.set_defaults(func=cmd_compile)
    i = sub.add_parser("inspect", help="per-layer table: shapes, MACs, parameters, memory plan")
    i.add_argument("model")
    i.add_argument("--json", **JSON_ARG)
    reg.add_options("inspect", i)
    i.set_defaults(func=cmd_inspect)
    b = sub.add_parser("build", help="cross-compile a compiled model folder for a Cortex-M core")
    b.add_argument("folder")
    b.add_argument("--target", default="cortex-m4", help=TARGET_HELP + " (default cortex-m4)")
    b.add_argument("--cmsis-nn", help=CMSIS_HELP)
    b.add_argument("--json", **JSON_ARG)
    reg.add_options("build", b)
    b.set_defaults(func=cmd_build)
    r = sub.add_parser("run", help="run a compiled model folder under QEMU")
    r.add_argument("folder")
    r.add_argument("--target", default="cortex-m4", help=TARGET_HELP + " with a QEMU machine (default cortex-m4)")
    r.add_argument("--input", required=True, help=".npy (one input) or .npz (one array per input, in order)")
    r.add_argument("--output", required=True, help=".npy (first output) or .npz (all outputs)")
    r.add_argument("--cmsis-nn", help=CMSIS_HELP)
    r.add_argument("--json", **JSON_ARG)
    reg.add_options("run", r)
    r.set_defaults(func=cmd_run)
    be = sub.add_parser("bench", help="instructions per inference under QEMU (tinycc's plugin), flash and RAM")
    be.add_argument("folder")
    be.add_argument("--target", default="cortex-m4", help=TARGET_HELP + " with a QEMU machine (default cortex-m4)")
    be.add_argument("--samples", type=int, default=3)
    be.add_argument("--per-layer", action="store_true",
                    help="also split the count by layer (rebuilds with -DTINYCC_PROFILE_LAYERS: a marker call per layer)")
    be.add_argument("--cmsis-nn", help=CMSIS_HELP)
    be.add_argument("--json", **JSON_ARG)
    reg.add_options("bench", be)
    be.set_defaults(func=cmd_bench)
    cp = sub.add_parser("compare", help="run a model through several runtimes and compare their outputs")
    cp.add_argument("model")
    cp.add_argument("--runtimes", default="reference,tflm,c", help="comma-separated runtime names (see `tinycc plugins`)")
    cp.add_argument("--baseline", help="runtime the others are compared with (default: the first available)")
    cp.add_argument("--inputs", help=".npz with one array per input, first axis = samples")
    cp.add_argument("--samples", type=int, default=8)
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--json", **JSON_ARG)
    cp.add_argument("--per-layer", action="store_true",
                    help="also compare every intermediate tensor and name the first layer that diverges")
    reg.add_options("compare", cp)
    cp.set_defaults(func=cmd_compare)
    tg = sub.add_parser("targets", help="list the boards (memory, clock) and cores `--target` takes")
    tg.add_argument("--json", **JSON_ARG)
    reg.add_options("targets", tg)
    tg.set_defaults(func=cmd_targets)
    rp = sub.add_parser("report", help="flash and SRAM budget on a board: fits / does not fit, per-layer memory, "
                                       "latency, power", description="Exit status: 0 fits, 1 does not fit, 2 user error.")
    rp.add_argument("model")
    rp.add_argument("--target", "--board", "-t", dest="target", required=True,
                    help="a board of `tinycc targets` (a core has no memory to budget)")
    rp.add_argument("--backend", "-b", default="c", help="backend name (see `tinycc plugins`), default c")
    rp.add_argument("--stack-kb", type=float, default=8, help="stack + heap reserve in KB (default 8, the seed's minimum)")
    rp.add_argument("--latency", choices=("auto", "qemu", "macs"), default="auto",
                    help="auto: count instructions under QEMU when the board's core and the backend allow it, else "
                         "estimate from MACs; qemu: must measure; macs: estimate only (fast)")
    rp.add_argument("--cycles-per-mac", type=float, help="for the MAC estimate (default: tinycc's measured figure for the backend)")
    rp.add_argument("--duty-cycle", help="share of time spent inferring, e.g. 0.05 or 5%%")
    rp.add_argument("--rate", type=float, metavar="HZ", help="inferences per second: the duty cycle from the latency")
    rp.add_argument("--battery-mah", type=float, help="battery capacity for the battery-life estimate")
    rp.add_argument("--battery-v", type=float, default=3.0, help="battery voltage (default 3.0)")
    rp.add_argument("--active-mw", type=float, help="MCU power while inferring (default: the board's figure)")
    rp.add_argument("--sleep-mw", type=float, help="MCU deep-sleep power (default: the board's figure)")
    rp.add_argument("--extra-mw", type=float, default=0.0,
                    help="average power of the other components (microphone, radio, ...), added to the total")
    rp.add_argument("--calibration", help="as compile --calibration: quantise a float model to int8 first")
    rp.add_argument("--io", choices=("float", "int8"),
                    help="as compile --io: the quantised model's I/O buffers counted as float32 (default) or int8")
    rp.add_argument("--cmsis-nn", help=CMSIS_HELP)
    rp.add_argument("--patch-tiles", type=int, metavar="N",
                    help="as compile --patch-tiles: the first layers in N row bands (smaller arena)")
    rp.add_argument("--json", **JSON_ARG)
    rp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report with a memory timeline")
    reg.add_options("report", rp)
    rp.set_defaults(func=cmd_report)
    pl = sub.add_parser("plugins", help="list importers, backends and runtimes with their origin")
    pl.add_argument("--json", **JSON_ARG)
    reg.add_options("plugins", pl)
    pl.set_defaults(func=cmd_plugins)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from tinycc.quiet import quiet_frameworks
    quiet_frameworks()
    out = Console()
    err = Console(stderr=True)
    try:
        with RichReporter(err) as display, progress.reporting(display):
            return args.func(args, out)
    except TinyccError as exc:
        err.print(f"tinycc: error: {exc.render()}", markup=False, highlight=False, soft_wrap=True)  # paths unbroken
        return 2
    except BrokenPipeError:         # `tinycc targets | head`: the reader left; no traceback, no message
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        err.print("tinycc: interrupted")
        return 130
    except Exception as exc:  # a bug in tinycc, not a user error: short message, details on demand
        if os.environ.get("TINYCC_DEBUG"):
            raise
        err.print(f"tinycc: internal error: {type(exc).__name__}: {exc}\n"
                  "  this is a bug in tinycc; rerun with TINYCC_DEBUG=1 for the traceback and report it",
                  markup=False, highlight=False, soft_wrap=True)
        return 3


if __name__ == "__main__":
    sys.exit(main())

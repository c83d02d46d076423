"""The `tinycc` command: compile, inspect, plugins.

User errors (TinyccError) print one message and exit with status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from rich.console import Console
from rich.table import Table

import tinycc
from tinycc.core import progress
from tinycc.core.errors import TinyccError
from tinycc.progress_display import RichReporter


def _bytes(n) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


def cmd_compile(args, out: Console) -> int:
    from tinycc.driver import compile_model
    options = {"quantize": args.quantize, "calibration": args.calibration,
               "calibration_method": args.calibration_method, "io": args.io,
               "int16_layers": (args.int16_activations or "").split(",") if args.int16_activations else [],
               "io_layout": args.io_layout, "board": args.board, "verify": args.verify,
               "keep_flatbuffer": args.keep_flatbuffer, "tvm_opt": args.tvm_opt, "part": args.part,
               "target": args.target, "patch_tiles": args.patch_tiles}
    report = compile_model(args.model, args.backend, args.output, name=args.name, force=args.force,
                           options=options)
    for note in report.get("notes", []):
        out.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    table = Table(title=f"tinycc compile: {args.model} -> {args.output} ({args.backend})", show_header=False)
    table.add_row("files", ", ".join(report.get("files", [])))
    for key, label in (("arena_bytes", "arena (SRAM)"), ("bound_bytes", "arena lower bound"),
                       ("input_bytes", "input buffers (SRAM, caller)"), ("output_bytes", "output buffers (SRAM, caller)"),
                       ("flash_weights_bytes", "weights + constants (flash)"), ("flash_bytes", "flatbuffer (flash)"),
                       ("tflm_measured_arena_bytes", "TFLM measured arena"),
                       ("tflm_arena_without_offline_plan", "TFLM arena without tinycc's plan"),
                       ("macs", "MACs per inference")):
        if key in report:
            table.add_row(label, _bytes(report[key]))
    if "arena_bytes" in report:
        peak = report["arena_bytes"] + report.get("input_bytes", 0) + report.get("output_bytes", 0)
        table.add_row("peak SRAM (arena + I/O)", _bytes(peak))
    out.print(table)
    if "accuracy" in report:
        print_accuracy(report["accuracy"], out)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
    return 0


def print_accuracy(acc: dict, out: Console, worst: int = 5) -> None:
    """float vs int8 on the calibration samples: per output, then the layers that lose most."""
    table = Table(title=f"int8 vs float on {acc['samples']} calibration samples")
    for col in ("output", "top-1 agreement", "max |error|", "SQNR dB"):
        table.add_column(col, justify="left" if col == "output" else "right")
    for o in acc["outputs"]:
        top1 = f"{o['top1_agreement']:.1%}" if "top1_agreement" in o else "-"
        table.add_row(o["output"][:40], top1, f"{o['max_abs_error']:.4g}", f"{o['sqnr_db']:.1f}")
    out.print(table)
    layers = Table(title="layers losing most (lowest SQNR; keep them in int16 if accuracy suffers)")
    for col in ("node", "op", "SQNR dB"):
        layers.add_column(col, justify="right" if col == "SQNR dB" else "left")
    for l in acc["layers"][:worst]:
        layers.add_row(l["node"][:50], l["op"], f"{l['sqnr_db']:.1f}")
    out.print(layers)


def cmd_inspect(args, out: Console) -> int:
    from tinycc.driver import inspect_model, load_model
    info = inspect_model(load_model(args.model))
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True))
        return 0
    table = Table(title=f"tinycc inspect: {args.model}")
    for col in ("#", "op", "name", "output", "dtype", "MACs", "param bytes", "live arena", "offset"):
        table.add_column(col, justify="right" if col in ("#", "MACs", "param bytes", "live arena", "offset") else "left")
    for l in info["layers"]:
        table.add_row(str(l["index"]), l["op"], l["name"][:40], "x".join(map(str, l["output"])), l["dtype"],
                      _bytes(l["macs"]), _bytes(l["param_bytes"]), _bytes(l["live_arena_bytes"]), str(l["offset"]))
    out.print(table)
    out.print(f"arena {info['arena_bytes']:,} bytes (bound {info['bound_bytes']:,}, plan '{info['strategy']}'); "
              f"inputs {info['input_bytes']:,} + outputs {info['output_bytes']:,} bytes in caller buffers; "
              f"weights {info['weights_bytes']:,} bytes; {info['macs']:,} MACs")
    return 0


def cmd_plugins(args, out: Console) -> int:
    from tinycc.core.plugins import registry
    reg = registry()
    table = Table(title="tinycc plugins")
    for col in ("kind", "name", "origin", "description"):
        table.add_column(col)
    for info in reg.all():
        table.add_row(info.kind, info.name, info.origin, info.description)
    out.print(table)
    for err in reg.load_errors:
        out.print(f"[yellow]plugin failed to load: {err}[/yellow]")
    return 0


def cmd_build(args, out: Console) -> int:
    from tinycc import cortexm
    report = cortexm.build(args.folder, args.target, cmsis_nn=args.cmsis_nn)
    table = Table(title=f"tinycc build: {args.folder} for {report['target']}", show_header=False)
    table.add_row("program", report["elf"])
    table.add_row("flash (text + rodata + data)", _bytes(report["flash_bytes"]))
    table.add_row("static RAM (data + bss)", _bytes(report["static_ram_bytes"]))
    table.add_row("largest stack frame", _bytes(report["max_frame_stack_bytes"]))
    table.add_row("worst-case stack (call graph from main)", _bytes(report["worst_case_stack_bytes"]))
    out.print(table)
    return 0


def cmd_run(args, out: Console) -> int:
    import numpy as np
    from tinycc import cortexm
    from tinycc.array_files import Input, load_one
    layout = cortexm.io_layout(args.folder, cortexm.model_name(args.folder))     # inputs checked before building
    xs = load_one(args.input, [Input(f"arr_{k}", shape, dtype, f"input {k}")
                               for k, (shape, dtype) in enumerate(layout["input"])])
    report = cortexm.build(args.folder, args.target.removeprefix("qemu-"), cmsis_nn=args.cmsis_nn)
    outs = cortexm.run(report["elf"], args.target, [xs], layout["output"])[0]
    if args.output.endswith(".npz"):
        np.savez(args.output, *outs)
    else:
        np.save(args.output, outs[0])
    out.print(f"ran {report['name']} on {args.target}: {len(outs)} output(s) written to {args.output}")
    return 0


def cmd_bench(args, out: Console) -> int:
    import numpy as np
    from tinycc import cortexm
    from tinycc.core.samples import random_tensor
    flags = ("-DTINYCC_PROFILE_LAYERS",) if args.per_layer else ()
    report = cortexm.build(args.folder, args.target.removeprefix("qemu-"), extra_flags=flags, cmsis_nn=args.cmsis_nn)
    layout = cortexm.io_layout(args.folder, report["name"])
    rng = np.random.default_rng(0)
    samples = [[random_tensor(rng, shape, dtype) for shape, dtype in layout["input"]] for _ in range(args.samples)]
    if args.per_layer:
        layers = cortexm.layers(args.folder, report["name"])
        if not layers:
            raise TinyccError("this model's code has no layer marks", file=args.folder,
                              hint="per-layer counts need code from the c, cmsis-nn or microtvm (int8) backend; "
                                   "recompile the folder with this tinycc")
        _, insns, parts = cortexm.run(report["elf"], args.target, samples, layout["output"], count=True, per_layer=True)
        parts = parts + [0] * (len(layers) + 1 - len(parts))
        per = Table(title="instructions per layer (profiling build, -DTINYCC_PROFILE_LAYERS)")
        for col in ("#", "op", "name", "instructions", "share"):
            per.add_column(col, justify="right" if col in ("#", "instructions", "share") else "left")
        per.add_row("", "(entry)", "argument checks", _bytes(parts[0]), f"{parts[0] / max(insns, 1):.1%}")
        for i, ((op, node), n) in enumerate(zip(layers, parts[1:])):
            per.add_row(str(i), op, node, _bytes(n), f"{n / max(insns, 1):.1%}")
        out.print(per)
    else:
        _, insns = cortexm.run(report["elf"], args.target, samples, layout["output"], count=True)
    table = Table(title=f"tinycc bench: {args.folder} on {args.target} ({args.samples} random inputs)", show_header=False)
    table.add_row("instructions per inference", _bytes(insns))
    table.add_row("flash (text + rodata + data)", _bytes(report["flash_bytes"]))
    table.add_row("static RAM (data + bss)", _bytes(report["static_ram_bytes"]))
    table.add_row("largest stack frame", _bytes(report["max_frame_stack_bytes"]))
    out.print(table)
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
    for name, reason in result["skipped"].items():
        out.print(f"[yellow]skipped {name}:[/yellow] {reason}", highlight=False)
    table = Table(title=f"tinycc compare: {args.model}, {len(samples)} samples, baseline {result['baseline']}")
    for col in ("runtime", "output", "max |error|", "mismatching", "top-1 agreement", "bit-exact"):
        table.add_column(col, justify="left" if col in ("runtime", "output") else "right")
    for r in result["results"]:
        table.add_row(r["runtime"], r["output"][:40], f"{r['max_abs_error']:.4g}", f"{r['mismatches']}/{r['elements']}",
                      f"{r['top1_agreement']:.0%}", "yes" if r["bit_exact"] else "NO")
    out.print(table)
    for name, layers in result.get("per_layer", {}).items():
        print_layers(name, result["baseline"], layers, out)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
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
    table = Table(title=f"{name} vs {baseline}, layer by layer")
    for col in ("#", "layer", "op", "max |error|", "mismatching", ""):
        table.add_column(col, justify="right" if col in ("#", "max |error|", "mismatching") else "left")
    for r in layers["layers"]:
        table.add_row(str(r["index"]), r["layer"][:40], r["op"], f"{r['max_abs_error']:.4g}",
                      f"{r['mismatches']}/{r['elements']}", "<- first" if r is first else "")
    out.print(table)


def cmd_targets(args, out: Console) -> int:
    from tinycc.boards import load_boards
    table = Table(title="tinycc targets (boards; add your own with $TINYCC_BOARDS)")
    for col in ("target", "board", "core", "MHz", "SRAM KB", "flash KB"):
        table.add_column(col, justify="right" if col in ("MHz", "SRAM KB", "flash KB") else "left")
    for slug, b in sorted(load_boards().items()):
        table.add_row(slug, b["title"], b["core"], str(b["clock_mhz"]), f"{b['sram_kb']:,}", f"{b['flash_kb']:,}")
    out.print(table)
    return 0


def cmd_report(args, out: Console) -> int:
    from rich.markup import escape
    from tinycc.report import fmt_seconds, make_report
    rep = make_report(args.model, args.target, args.backend, stack_bytes=round(args.stack_kb * 1024),
                      latency_mode=args.latency, cycles_per_mac=args.cycles_per_mac, duty_cycle=args.duty_cycle,
                      rate_hz=args.rate, battery_mah=args.battery_mah, battery_v=args.battery_v,
                      active_mw=args.active_mw, sleep_mw=args.sleep_mw, extra_mw=args.extra_mw, cmsis_nn=args.cmsis_nn,
                      patch_tiles=args.patch_tiles)
    if args.html:
        from tinycc.report_html import write_html
        write_html(rep, args.html)
    if args.json == "-":
        print(json.dumps(rep, indent=2, sort_keys=True))
        return 0 if rep["fits"] else 1
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rep, f, indent=2, sort_keys=True)
    b, fl, sr = rep["board"], rep["flash"], rep["sram"]
    budget = Table(title=f"tinycc report: {escape(args.model)} ({args.backend}) on {b['slug']} "
                         f"({escape(b['title'])}, {b['core']} at {b['clock_mhz']} MHz)")
    for col in ("budget", "item", "bytes", "how"):
        budget.add_column(col, justify="right" if col == "bytes" else "left")

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
    out.print(budget)
    layers = Table(title=f"layers ({escape(rep['plan']['what'])})")
    timed = all("seconds" in l for l in rep["layers"]) and rep["layers"]
    for col in ("#", "op", "name", "output", "MACs", "weights", "live bytes", "offset") + (("time",) if timed else ()):
        layers.add_column(col, justify="left" if col in ("op", "name", "output") else "right")
    for l in rep["layers"]:
        layers.add_row(str(l["index"]), l["op"], escape(l["name"][:40]), "x".join(map(str, l["output"])) + " " + l["dtype"],
                       _bytes(l["macs"]), _bytes(l["weights_bytes"]), _bytes(l["live_bytes"]),
                       "-" if l["offset"] is None else str(l["offset"]),
                       *((fmt_seconds(l["seconds"]),) if timed else ()))
    out.print(layers)
    lat = rep["latency"]
    out.print(f"latency: {fmt_seconds(lat['seconds'])} per inference, {escape(lat['basis'])}", soft_wrap=True)
    if lat.get("why_not_measured"):
        out.print(f"  (not measured: {escape(lat['why_not_measured'])})", soft_wrap=True)
    if rep["build"]:
        out.print(f"measured build: {rep['build']['program_flash_bytes']:,} B flash (model + runner + C library), "
                  f"worst-case stack of the model code {rep['build']['worst_case_stack_bytes']:,} B", soft_wrap=True)
    p = rep["power"]
    if p:
        power = Table(title="power (seed §10.1)")
        for col in ("component", "power mW", "duty cycle", "average mW"):
            power.add_column(col, justify="left" if col == "component" else "right")
        power.add_row("MCU, inference", f"{p['active_mw']:g}", f"{p['duty_cycle']:.2%}", f"{p['mcu_active_avg_mw']:.4g}")
        power.add_row("MCU, deep sleep", f"{p['sleep_mw']:g}", f"{1 - p['duty_cycle']:.2%}", f"{p['mcu_sleep_avg_mw']:.4g}")
        if p["extra_mw"]:
            power.add_row("other components (--extra-mw)", "", "", f"{p['extra_mw']:.4g}")
        power.add_row("[bold]total average[/bold]", "", "", f"[bold]{p['average_mw']:.4g}[/bold]")
        out.print(power)
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tinycc", description="TinyML compiler: trained models in, firmware C out.")
    p.add_argument("--version", action="version", version=f"tinycc {tinycc.__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="compile a model for a backend")
    c.add_argument("model")
    c.add_argument("--backend", "-b", default="c", help="backend name (see `tinycc plugins`), default c")
    c.add_argument("--output", "-o", required=True, help="output folder (created; replaced only with --force)")
    c.add_argument("--name", default="model", help="C symbol prefix and file name, default model")
    c.add_argument("--force", action="store_true", help="replace an existing output folder")
    c.add_argument("--json", help="also write the compile report as JSON to this file")
    c.add_argument("--quantize", choices=("int8", "none"),
                   help="post-training quantisation of a float model (default: int8 when --calibration is given)")
    c.add_argument("--calibration", help=".npz of input samples (one array per input, first axis = samples)")
    c.add_argument("--calibration-method", choices=("minmax", "percentile"), default="minmax",
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
    c.add_argument("--board", help="tflm backend: add an Arduino sketch and budget for this board "
                                    "(`tinycc targets`; boards with an Arduino core also get a sketch)")
    c.add_argument("--target", metavar="BOARD",
                   help="fail (and write nothing) unless the model fits this board's flash and SRAM by the "
                        "seed's budget rules (`tinycc targets` lists boards; `tinycc report` explains)")
    c.add_argument("--verify", action="store_true",
                   help="tflm backend: run the written flatbuffer in TF Lite Micro against the reference first")
    c.add_argument("--keep-flatbuffer", action="store_true",
                   help="tflm backend: ship a .tflite source model's flatbuffer untouched")
    c.add_argument("--tvm-opt", action="append", metavar="KEY=VALUE",
                   help="microtvm backend: schedule=mcu|none, unroll=N, cse=1|0 (repeatable; in metadata.json)")
    c.add_argument("--part", help="stm32cubeai backend: STM32 part (stm32f446, stm32l4r5, stm32h747, stm32u585)")
    c.add_argument("--io", choices=("float", "int8"), default="float",
                   help="quantised model's inputs and outputs: float32 (default) or int8")
    c.set_defaults(func=cmd_compile)
    i = sub.add_parser("inspect", help="per-layer table: shapes, MACs, parameters, memory plan")
    i.add_argument("model")
    i.add_argument("--json", action="store_true", help="print JSON instead of a table")
    i.set_defaults(func=cmd_inspect)
    b = sub.add_parser("build", help="cross-compile a compiled model folder for a Cortex-M core")
    b.add_argument("folder")
    b.add_argument("--target", default="cortex-m4", help="cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m33")
    b.add_argument("--cmsis-nn", help="CMSIS-NN source tree for cmsis-nn outputs (default: $CMSIS_NN_PATH)")
    b.set_defaults(func=cmd_build)
    r = sub.add_parser("run", help="run a compiled model folder under QEMU")
    r.add_argument("folder")
    r.add_argument("--target", default="qemu-cortex-m4", help="qemu-cortex-m3, -m4, -m7, -m33")
    r.add_argument("--input", required=True, help=".npy (one input) or .npz (one array per input, in order)")
    r.add_argument("--output", required=True, help=".npy (first output) or .npz (all outputs)")
    r.add_argument("--cmsis-nn", help="CMSIS-NN source tree for cmsis-nn outputs (default: $CMSIS_NN_PATH)")
    r.set_defaults(func=cmd_run)
    be = sub.add_parser("bench", help="instructions per inference under QEMU (tinycc's plugin), flash and RAM")
    be.add_argument("folder")
    be.add_argument("--target", default="qemu-cortex-m4")
    be.add_argument("--samples", type=int, default=3)
    be.add_argument("--per-layer", action="store_true",
                    help="also split the count by layer (rebuilds with -DTINYCC_PROFILE_LAYERS: a marker call per layer)")
    be.add_argument("--cmsis-nn", help="CMSIS-NN source tree for cmsis-nn outputs (default: $CMSIS_NN_PATH)")
    be.set_defaults(func=cmd_bench)
    cp = sub.add_parser("compare", help="run a model through several runtimes and compare their outputs")
    cp.add_argument("model")
    cp.add_argument("--runtimes", default="reference,tflm,c", help="comma-separated runtime names (see `tinycc plugins`)")
    cp.add_argument("--baseline", help="runtime the others are compared with (default: the first available)")
    cp.add_argument("--inputs", help=".npz with one array per input, first axis = samples")
    cp.add_argument("--samples", type=int, default=8)
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--json", help="also write the comparison as JSON")
    cp.add_argument("--per-layer", action="store_true",
                    help="also compare every intermediate tensor and name the first layer that diverges")
    cp.set_defaults(func=cmd_compare)
    tg = sub.add_parser("targets", help="list the boards tinycc knows (memory, clock)")
    tg.set_defaults(func=cmd_targets)
    rp = sub.add_parser("report", help="flash and SRAM budget on a board: fits / does not fit, per-layer memory, "
                                       "latency, power", description="Exit status: 0 fits, 1 does not fit, 2 user error.")
    rp.add_argument("model")
    rp.add_argument("--target", "-t", required=True, help="board slug (see `tinycc targets`)")
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
    rp.add_argument("--cmsis-nn", help="CMSIS-NN source tree, to measure cmsis-nn outputs (default: $CMSIS_NN_PATH)")
    rp.add_argument("--patch-tiles", type=int, metavar="N",
                    help="as compile --patch-tiles: the first layers in N row bands (smaller arena)")
    rp.add_argument("--json", metavar="FILE", help="also write the report as JSON ('-': print it instead of the tables)")
    rp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report with a memory timeline")
    rp.set_defaults(func=cmd_report)
    pl = sub.add_parser("plugins", help="list importers, backends and runtimes with their origin")
    pl.set_defaults(func=cmd_plugins)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    out = Console()
    err = Console(stderr=True)
    try:
        with RichReporter(err) as display, progress.reporting(display):
            return args.func(args, out)
    except TinyccError as exc:
        err.print(f"tinycc: error: {exc.render()}", markup=False, highlight=False, soft_wrap=True)  # paths unbroken
        return 2
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

"""`tinycc compile`: a model in, an output folder of the chosen backend out."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import (
    JSON_ARG,
    board_slug,
    check_options,
    fmt_bytes,
    json_out,
    make_table,
    print_notes,
    show,
)


def cmd_compile(args, out: Console) -> int:
    from tinycc.core.plugins import registry
    from tinycc.driver import compile_model
    check_options(args, args.backend)
    target = board_slug(args.target, "compile --target") if args.target else None
    options = {"quantize": args.quantize, "calibration": args.calibration,
               "calibration_method": args.calibration_method, "io": args.io,
               "bias_correction": args.bias_correction, "sqnr_threshold": args.sqnr_threshold,
               "int16_layers": (args.int16_activations or "").split(",") if args.int16_activations else [],
               "weights": args.weights, "int4_layers": args.int4_layers.split(",") if args.int4_layers else [],
               "io_layout": args.io_layout, "board": target,
               **{opt.dest: getattr(args, opt.dest, None) for opt, _ in registry().options("compile")},
               "target": target, "patch_tiles": args.patch_tiles,
               "prune_channels": args.prune_channels, "max_accuracy_drop": args.max_accuracy_drop,
               "prune_compensate": args.prune_compensate, "compress_weights": args.compress_weights,
               "compress_method": args.compress_method}
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
                       ("state_bytes", "state bytes (SRAM, kept across invokes)"),
                       ("input_bytes", "input buffers (SRAM, caller)" + (", float32" if floats else "")),
                       ("output_bytes", "output buffers (SRAM, caller)" + (", float32" if floats else "")),
                       ("io_int8_bytes", "input + output buffers with --io int8"),
                       ("flash_weights_bytes", "weights + constants (flash)"), ("flash_bytes", "flatbuffer (flash)"),
                       ("tflm_measured_arena_bytes", "TFLM measured arena"),
                       ("tflm_arena_without_offline_plan", "TFLM arena without tinycc's plan"),
                       ("macs", "MACs per inference")):
        if key in report:
            table.add_row(label, fmt_bytes(report[key]))
    if "arena_bytes" in report:
        peak = report["arena_bytes"] + report.get("input_bytes", 0) + report.get("output_bytes", 0)
        if report.get("state_bytes"):
            table.add_row("peak SRAM (arena + state + I/O)", fmt_bytes(peak + report["state_bytes"]))
        else:
            table.add_row("peak SRAM (arena + I/O)", fmt_bytes(peak))
    show(out, table)
    if "pruning" in report:
        print_pruning(report["pruning"], out)
    if "accuracy" in report:
        print_accuracy(report["accuracy"], out)
    if "compression" in report:
        print_compression(report["compression"], out)
    return 0


def print_compression(c: dict, out: Console) -> None:
    """--compress-weights: each layer's tables, bytes and weight SQNR, then the outputs' SQNR."""
    table = make_table(f"LUT weights ({c['bits']}-bit indices, {c['method']} tables): {c['int8_bytes']} int8 "
                       f"bytes -> {c['lut_bytes']} (indices + tables)",
                       ("layer", "tables", "bytes", "SQNR vs int8", "vs float"), right=("tables", "bytes"),
                       split="layer")
    for e in c["layers"]:
        vs_float = f"{e['sqnr_vs_float_db']:.1f} dB (int8 {e['sqnr_int8_vs_float_db']:.1f})" \
            if "sqnr_vs_float_db" in e else "-"
        table.add_row(escape(e["layer"]), f"{e['tables']} x {e['entries']}", f"{e['int8_bytes']} -> {e['lut_bytes']}",
                      f"{e['sqnr_vs_int8_db']:.1f} dB", vs_float)
    show(out, table)
    outs = ", ".join(f"{v:.1f} dB" for v in c["output_sqnr_vs_int8_db"])
    line = f"outputs' SQNR vs the int8 model: {outs}"
    if "output_sqnr_vs_float_db" in c:
        line += ("; vs float: " + ", ".join(f"{v:.1f} dB" for v in c["output_sqnr_vs_float_db"])
                 + " (int8: " + ", ".join(f"{v:.1f} dB" for v in c["output_sqnr_int8_vs_float_db"]) + ")")
    out.print(line, highlight=False, soft_wrap=True)


def print_pruning(p: dict, out: Console) -> None:
    """--prune-channels: the channels each layer lost, the cost before and after, the pruned model
    against the unpruned float one on the calibration samples, and the ratio search."""
    how = ", bias compensation" if p.get("compensated") else ""
    layers = make_table(f"channel pruning (smallest {p['norm'].upper()} filter norms{how}), ratio {p['ratio']:g}",
                        ("#", "layer", "channels", "pruned"), right=("#", "channels", "pruned"), split="layer")
    for layer in p["layers"]:
        layers.add_row(str(layer["index"]), escape(layer["layer"]), str(layer["channels"]), str(len(layer["pruned"])))
    show(out, layers)
    cost = make_table("cost of the pruned model", ("", "before", "after"), right=("before", "after"))
    for key, label in (("macs", "MACs per inference"), ("weights_bytes", "weights (flash)"),
                       ("arena_bytes", "arena (plain plan)")):
        cost.add_row(label, fmt_bytes(p["before"][key]), fmt_bytes(p["after"][key]))
    show(out, cost)
    if "search" in p:
        bound = p["bound"]
        what = (f"top-1 agreement at least {100 - bound['value']:g}%" if bound["kind"] == "top1"
                else f"output SQNR at least {bound['value']:g} dB")
        search = make_table(f"--max-accuracy-drop: {what} (chosen ratio {p['ratio']:g})",
                            ("ratio", "top-1 agreement", "SQNR dB", "within"), right=("top-1 agreement", "SQNR dB"))
        for step in p["search"]:
            o = step["outputs"]
            top1 = min((x["top1_agreement"] for x in o if "top1_agreement" in x), default=None)
            search.add_row(f"{step['ratio']:g}", "-" if top1 is None else f"{top1:.1%}",
                           f"{min(x['sqnr_db'] for x in o):.1f}", "yes" if step["within"] else "no")
        show(out, search)
    if "accuracy" in p:
        acc = p["accuracy"]
        show(out, outputs_table(acc, f"pruned vs unpruned float on {acc['samples']} calibration samples"))
    else:
        out.print("pruned without an accuracy report: pass --calibration data.npz to measure it "
                  "(--quantize none keeps the model float)", highlight=False, soft_wrap=True)


def outputs_table(acc: dict, title: str):
    """One row per model output of an accuracy report: top-1 agreement, largest error, SQNR."""
    table = make_table(title, ("output", "top-1 agreement", "max |error|", "SQNR dB"),
                       right=("top-1 agreement", "max |error|", "SQNR dB"), split="output")
    for o in acc["outputs"]:
        top1 = f"{o['top1_agreement']:.1%}" if "top1_agreement" in o else "-"
        table.add_row(escape(o["output"]), top1, f"{o['max_abs_error']:.4g}", f"{o['sqnr_db']:.1f}")
    return table


def print_accuracy(acc: dict, out: Console, worst: int = 5) -> None:
    """float vs int8 on the calibration samples: per output, then the layers that lose most."""
    show(out, outputs_table(acc, f"int8 vs float on {acc['samples']} calibration samples"))
    layers = make_table("layers losing most (lowest SQNR; keep them in int16 if accuracy suffers)",
                        ("node", "op", "SQNR dB"), keys=("op",), right=("SQNR dB",), split="node")
    for layer in acc["layers"][:worst]:
        layers.add_row(escape(layer["node"]), layer["op"], f"{layer['sqnr_db']:.1f}")
    show(out, layers)
    for line in accuracy_lines(acc):
        out.print(escape(line), highlight=False, soft_wrap=True)


def accuracy_lines(acc: dict) -> list[str]:
    """Where the loss starts (the first layer below the SQNR threshold) and channels lost whole."""
    lines = []
    first = acc.get("first_below_threshold")
    if "sqnr_threshold_db" in acc:
        lines.append(f"first layer below {acc['sqnr_threshold_db']:g} dB SQNR: " + (
            f"{first['node']} ({first['op']}, {first['sqnr_db']:.1f} dB)" if first else "none"))
    for layer in acc["layers"]:
        for key, what in (("collapsed_channels", "vary in float but quantise to one int8 level"),
                          ("dead_channels", "are constant on every calibration sample")):
            if layer.get(key):
                shown = ", ".join(map(str, layer[key][:8])) + (", ..." if len(layer[key]) > 8 else "")
                lines.append(f"{layer['node']} ({layer['op']}): channels {shown} {what}")
    return lines


def add_parser(sub, reg):
    """The `compile` subcommand's parser; `reg` adds the plugins' options."""
    c = sub.add_parser("compile", help="compile a model for a backend")
    c.add_argument("model")
    c.add_argument("--backend", "-b", default="c", help="backend name (see `tinycc plugins`), default c")
    c.add_argument("--output", "-o", required=True, help="output folder (created; replaced only with --force)")
    c.add_argument("--name", default="model", help="C symbol prefix and file name, default model")
    c.add_argument("--force", action="store_true", help="replace an existing output folder")
    c.add_argument("--json", **JSON_ARG)
    c.add_argument("--quantize", choices=("int8", "none"),
                   help="post-training quantisation of a float model (default: int8 when --calibration is given)")
    c.add_argument("--calibration",
                   help=".npz (one array per input) or .npy (one input) of samples, first axis = samples")
    c.add_argument("--calibration-method", choices=("minmax", "percentile", "mse", "kl"),
                   help="activation ranges: min/max (default), the 99.99th percentile, the clipping of least "
                        "quantisation error (mse) or of least KL divergence (kl, TensorRT's entropy calibration)")
    c.add_argument("--bias-correction", action="store_true",
                   help="subtract from each weighted layer's bias the mean error its int8 weights make on the "
                        "calibration samples")
    c.add_argument("--sqnr-threshold", type=float, metavar="DB",
                   help="the accuracy report names the first layer whose SQNR falls below DB (default 20)")
    c.add_argument("--int16-activations", metavar="LAYER,...",
                   help="layers to run with int16 activations (16x8): node names, output tensor names or "
                        "their # in `tinycc inspect`")
    c.add_argument("--weights", choices=("int8", "int4"),
                   help="weights of the conv, depthwise and fully connected layers tinycc quantises: int8 "
                        "(default) or int4 (per channel, symmetric -7..7, stored two a byte: half the flash; "
                        "the accuracy report shows the cost)")
    c.add_argument("--compress-weights", type=int, metavar="BITS",
                   help="store the int8 weights of conv, depthwise and fully connected layers as TF Lite Micro's "
                        "LUT compression: BITS-bit (1..7) indices into per-channel tables of 2^BITS values "
                        "(decoded in the kernels, never copied to RAM; reports each layer's SQNR)")
    c.add_argument("--compress-method", choices=("kmeans", "uniform"),
                   help="the value tables of --compress-weights: k-means over each channel's weights (default) "
                        "or evenly spaced levels")
    c.add_argument("--int4-layers", metavar="LAYER,...",
                   help="only these layers get int4 weights (implies --weights int4 for them)")
    c.add_argument("--prune-channels", metavar="RATIO|LAYER=RATIO,...",
                   help="structured pruning of a float model without retraining: remove the RATIO (in [0, 1)) of "
                        "each prunable layer's output channels with the smallest L1 filter norms, or per layer "
                        "(conv1=0.5,conv3=0.25; a bare ratio in the list is every other layer's), before "
                        "quantisation; with --calibration the pruned model is measured against the unpruned one")
    c.add_argument("--max-accuracy-drop", metavar="X|XdB",
                   help="prune with the largest uniform ratio (0.05 steps, up to --prune-channels' ratio or 0.95) "
                        "whose top-1 agreement with the unpruned float model on the calibration samples is at least "
                        "100-X %% (X percentage points), or with XdB whose output SQNR against it is at least X dB")
    c.add_argument("--prune-compensate", action="store_true",
                   help="with --prune-channels: each layer reading a pruned channel adds the channel's mean on the "
                        "calibration samples (times its weights) to its bias, keeping its average contribution")
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
    return c

"""`tinycc compare`: a model through several runtimes, outputs (and layers) compared."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import JSON_ARG, json_out, make_table, show


def cmd_compare(args, out: Console) -> int:
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
                      f"{r['mismatches']}/{r['elements']}", f"{r['top1_agreement']:.0%}",
                      "yes" if r["bit_exact"] else "NO")
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


def add_parser(sub, reg):
    """The `compare` subcommand's parser; `reg` adds the plugins' options."""
    cp = sub.add_parser("compare", help="run a model through several runtimes and compare their outputs")
    cp.add_argument("model")
    cp.add_argument("--runtimes", default="reference,tflm,c",
                    help="comma-separated runtime names (see `tinycc plugins`)")
    cp.add_argument("--baseline", help="runtime the others are compared with (default: the first available)")
    cp.add_argument("--inputs", help=".npz (one array per input) or .npy (one input), first axis = samples")
    cp.add_argument("--samples", type=int, default=8)
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--json", **JSON_ARG)
    cp.add_argument("--per-layer", action="store_true",
                    help="also compare every intermediate tensor and name the first layer that diverges")
    reg.add_options("compare", cp)
    cp.set_defaults(func=cmd_compare)
    return cp

"""`tinycc bench`: instructions per inference under QEMU (optionally per layer), flash and RAM."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import (
    CMSIS_HELP,
    JSON_ARG,
    TARGET_HELP,
    build_table,
    fmt_bytes,
    json_out,
    make_table,
    print_notes,
    show,
)
from tinycc.core.errors import TinyccError


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
                        fmt_bytes(r["instructions"]), f"{r['instructions'] / max(insns, 1):.1%}")
        show(out, per)
    show(out, build_table(f"tinycc bench: {args.folder} on {core} under QEMU ({args.samples} random inputs)", report,
                          first=[("instructions per inference", fmt_bytes(insns))]))
    out.print(f"program: {escape(report['elf'])}", soft_wrap=True, highlight=False)
    return 0


def add_parser(sub, reg):
    """The `bench` subcommand's parser; `reg` adds the plugins' options."""
    be = sub.add_parser("bench", help="instructions per inference under QEMU (tinycc's plugin), flash and RAM")
    be.add_argument("folder")
    be.add_argument("--target", default="cortex-m4", help=TARGET_HELP + " with a QEMU machine (default cortex-m4)")
    be.add_argument("--samples", type=int, default=3)
    be.add_argument("--per-layer", action="store_true",
                    help="also split the count by layer "
                         "(rebuilds with -DTINYCC_PROFILE_LAYERS: a marker call per layer)")
    be.add_argument("--cmsis-nn", help=CMSIS_HELP)
    be.add_argument("--json", **JSON_ARG)
    reg.add_options("bench", be)
    be.set_defaults(func=cmd_bench)
    return be

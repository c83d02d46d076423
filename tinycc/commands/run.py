"""`tinycc run`: run a compiled model folder under QEMU on the given inputs."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import CMSIS_HELP, JSON_ARG, TARGET_HELP, json_out, print_notes


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


def add_parser(sub, reg):
    """The `run` subcommand's parser; `reg` adds the plugins' options."""
    r = sub.add_parser("run", help="run a compiled model folder under QEMU")
    r.add_argument("folder")
    r.add_argument("--target", default="cortex-m4", help=TARGET_HELP + " with a QEMU machine (default cortex-m4)")
    r.add_argument("--input", required=True, help=".npy (one input) or .npz (one array per input, in order)")
    r.add_argument("--output", required=True, help=".npy (first output) or .npz (all outputs)")
    r.add_argument("--cmsis-nn", help=CMSIS_HELP)
    r.add_argument("--json", **JSON_ARG)
    reg.add_options("run", r)
    r.set_defaults(func=cmd_run)
    return r

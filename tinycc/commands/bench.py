"""`tinycc bench`: instructions per inference under QEMU (optionally per layer), the core's cycle
estimate beside them (tinycc/cycle_models.py: the TRM's instruction timing over the executed blocks),
flash and RAM."""
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

    from tinycc import cortexm, cycle_models
    from tinycc.core.samples import random_tensor
    core = cortexm.core_of(args.target)
    flags = ("-DTINYCC_PROFILE_LAYERS",) if args.per_layer else ()
    report = cortexm.build(args.folder, core, extra_flags=flags, cmsis_nn=args.cmsis_nn)
    layout = cortexm.io_layout(args.folder, report["name"])
    rng = np.random.default_rng(0)
    samples = [[random_tensor(rng, shape, dtype) for shape, dtype in layout["input"]] for _ in range(args.samples)]
    rows = None
    modelled = cortexm.TARGETS[core].cycle_model          # tinycc/cycle_models.py's model of the core, or None
    trace: list | None = [] if modelled else None
    if args.flash_wait_states < 0:
        raise TinyccError(f"--flash-wait-states must be 0 or more, not {args.flash_wait_states}")
    if args.flash_wait_states and modelled not in cycle_models.WAIT_STATES:
        raise TinyccError(f"--flash-wait-states: {core}'s cycle model prices no flash wait states",
                          hint="the Cortex-M4 model (--target cortex-m4) does")
    if args.per_layer:
        layers = cortexm.layers(args.folder, report["name"])
        if not layers:
            raise TinyccError("this model's code has no layer marks", file=args.folder,
                              hint="per-layer counts need code from the c, cmsis-nn or microtvm (int8) backend; "
                                   "recompile the folder with this tinycc")
        _, insns, parts = cortexm.run(report["elf"], core, samples, layout["output"], count=True, per_layer=True,
                                      trace=trace)
        parts = parts + [0] * (len(layers) + 1 - len(parts))
        rows = [{"index": None, "op": "(entry)", "name": "argument checks", "instructions": parts[0]}]
        rows += [{"index": i, "op": op, "name": node, "instructions": n}
                 for i, ((op, node), n) in enumerate(zip(layers, parts[1:]))]
    else:
        _, insns = cortexm.run(report["elf"], core, samples, layout["output"], count=True, trace=trace)
    est = cycle_models.estimate(modelled, report["elf"], trace, args.samples, args.flash_wait_states)
    if est is not None and rows is not None:
        for r, c in zip(rows, est.parts + [0] * (len(rows) - len(est.parts))):
            r["estimated_cycles"] = c
    model = None if est is None else {
        "estimated_cycles_per_inference": est.cycles, "clock_mhz": args.clock_mhz,
        "ms_per_inference": round(est.cycles / (args.clock_mhz * 1e3), 4),
        "flash_wait_states": args.flash_wait_states, "cycles_above_one_per_instruction": est.extra,
        "assumptions": cycle_models.assumptions(modelled, args.flash_wait_states)}
    data = {"folder": args.folder, "target": core, "samples": args.samples, "instructions_per_inference": insns,
            "flash_bytes": report["flash_bytes"], "static_ram_bytes": report["static_ram_bytes"],
            "max_frame_stack_bytes": report["max_frame_stack_bytes"], "elf": report["elf"], "layers": rows,
            "cycle_model": model, "notes": report["notes"]}
    if json_out(args.json, data):
        print_notes(report["notes"], out, to_stderr=True)
        return 0
    print_notes(report["notes"], out)
    if rows is not None:
        cols = ("#", "op", "name", "instructions") + (("est. cycles",) if est else ()) + ("share",)
        per = make_table("instructions per layer (profiling build, -DTINYCC_PROFILE_LAYERS)", cols, keys=("op",),
                         right=("#", "instructions", "est. cycles", "share"), split="name")
        for r in rows:
            share = (r["estimated_cycles"] / max(est.cycles, 1)) if est else r["instructions"] / max(insns, 1)
            per.add_row("" if r["index"] is None else str(r["index"]), r["op"], escape(r["name"]),
                        fmt_bytes(r["instructions"]), *((fmt_bytes(r["estimated_cycles"]),) if est else ()),
                        f"{share:.1%}")
        show(out, per)
    first = [("instructions per inference", fmt_bytes(insns))]
    if est is not None:
        first += [(f"est. {cycle_models.title(modelled)} cycles per inference",
                   f"{fmt_bytes(est.cycles)} ({est.cycles / max(insns, 1):.2f} per instruction)"),
                  (f"ms @ {args.clock_mhz:g} MHz", f"{est.cycles / (args.clock_mhz * 1e3):.3f}")]
    show(out, build_table(f"tinycc bench: {args.folder} on {core} under QEMU ({args.samples} random inputs)", report,
                          first=first))
    if est is not None:
        out.print(escape(cycle_models.assumptions(modelled, args.flash_wait_states)), soft_wrap=True, highlight=False)
    else:
        out.print(f"no cycle estimate: tinycc has no cycle model of {core} (models: "
                  f"{', '.join(cycle_models.TITLES)})", highlight=False)
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
    be.add_argument("--flash-wait-states", type=int, default=0, metavar="N",
                    help="flash wait states of the cycle estimate (default 0): a taken branch to code flash pays N "
                         "cycles unless its 16-byte line is in a 64-line branch cache; sequential fetches are "
                         "hidden by the prefetch buffer")
    be.add_argument("--clock-mhz", type=float, default=120.0, help="clock for the milliseconds (default 120)")
    be.add_argument("--cmsis-nn", help=CMSIS_HELP)
    be.add_argument("--json", **JSON_ARG)
    reg.add_options("bench", be)
    be.set_defaults(func=cmd_bench)
    return be

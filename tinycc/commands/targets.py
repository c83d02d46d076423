"""`tinycc targets`: the boards (memory, clock) and cores `--target` takes."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import JSON_ARG, json_out, make_table, show


def cmd_targets(args, out: Console) -> int:
    from tinycc.boards import load_boards
    from tinycc.cortexm import TARGETS
    boards = load_boards()
    data = {"boards": {slug: {**b, "buildable": b["core"] in TARGETS} for slug, b in sorted(boards.items())},
            "cores": {core: {"qemu_machine": t.machine,
                             "boards": [s for s, b in sorted(boards.items()) if b["core"] == core]}
                      for core, t in TARGETS.items()}}
    if json_out(args.json, data):
        return 0
    cols = ("target", "board", "core", "MHz", "SRAM", "flash")
    table = make_table("tinycc targets: boards, memory in KB (compile, report, build, run, bench; add your own with "
                       "$TINYCC_BOARDS)", cols, keys=("target", "core"), right=("MHz", "SRAM", "flash"),
                       min_widths={"board": max([len(w) for b in boards.values() for w in b["title"].split()] + [5])})
    for slug, b in data["boards"].items():
        table.add_row(slug, escape(b["title"]), b["core"], f"{b['clock_mhz']:g}", f"{b['sram_kb']:,}",
                      f"{b['flash_kb']:,}")
    show(out, table)
    cores = make_table("tinycc targets: cores (build, run, bench; `qemu-CORE` also accepted)",
                       ("target", "QEMU machine", "boards with it"), keys=("target", "QEMU machine"))
    for core, c in data["cores"].items():
        cores.add_row(core, c["qemu_machine"] or "none (build only)", ", ".join(c["boards"]) or "-")
    show(out, cores)
    return 0


def add_parser(sub, reg):
    """The `targets` subcommand's parser; `reg` adds the plugins' options."""
    tg = sub.add_parser("targets", help="list the boards (memory, clock) and cores `--target` takes")
    tg.add_argument("--json", **JSON_ARG)
    reg.add_options("targets", tg)
    tg.set_defaults(func=cmd_targets)
    return tg

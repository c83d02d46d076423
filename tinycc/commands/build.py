"""`tinycc build`: cross-compile a compiled model folder for a Cortex-M core."""
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
    print_notes,
    show,
)


def cmd_build(args, out: Console) -> int:
    from tinycc import cortexm
    report = cortexm.build(args.folder, cortexm.core_of(args.target), cmsis_nn=args.cmsis_nn)
    if json_out(args.json, report):
        print_notes(report["notes"], out, to_stderr=True)
        return 0
    print_notes(report["notes"], out)
    table = build_table(f"tinycc build: {args.folder} for {report['target']}", report)
    table.add_row("worst-case stack (call graph from main)", fmt_bytes(report["worst_case_stack_bytes"]))
    show(out, table)
    out.print(f"program: {escape(report['elf'])}", soft_wrap=True, highlight=False)
    return 0


def add_parser(sub, reg):
    """The `build` subcommand's parser; `reg` adds the plugins' options."""
    b = sub.add_parser("build", help="cross-compile a compiled model folder for a Cortex-M core")
    b.add_argument("folder")
    b.add_argument("--target", default="cortex-m4", help=TARGET_HELP + " (default cortex-m4)")
    b.add_argument("--cmsis-nn", help=CMSIS_HELP)
    b.add_argument("--json", **JSON_ARG)
    reg.add_options("build", b)
    b.set_defaults(func=cmd_build)
    return b

"""What every `tinycc` command shares: tables that never cut a cell, --json output, notes, and
the checks of --target and of options the chosen backend would ignore."""
from __future__ import annotations

import json
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tinycc.core.errors import TinyccError


def fmt_bytes(n) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


class TitledTable(Table):
    """A rich Table with the heading `show` prints above it and the column it may split off."""
    heading: str = ""
    split: str | None = None


def make_table(title: str, columns=(), *, show_header: bool = True, keys=(), right=(), min_widths=None,
               split: str | None = None) -> TitledTable:
    """A table that never cuts a cell: columns in `keys` (slugs, op names) and numbers (`right`)
    keep their text whole, the others wrap, and anything still too wide folds onto the next line
    rather than ending in an ellipsis. `split` names a free-text column (layer names) that `show`
    moves into a table of its own when the console is too narrow for both."""
    table = TitledTable(show_header=show_header, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
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


def show(out: Console, table: TitledTable) -> None:
    """The table's heading, wrapped between words (one unbroken line when a word, a path, is wider
    than the console: the terminal wraps it, a pipe gets it whole), then the table; when the console is too
    narrow for every column at its natural width,
    the `split` column follows in a second table keyed by the first column, so no column is
    dropped or cut."""
    from rich.measure import Measurement
    long_word = max(map(len, table.heading.split()), default=0) > out.width      # a path: one unbroken line
    out.print(escape(table.heading), soft_wrap=long_word, highlight=False)
    headers = [c.header for c in table.columns]
    unclamped = out.options.update(max_width=1 << 16)      # the width the columns need, not what is there
    # rich shrinks only the wrapping columns, and not always to their minimum: split whenever the
    # table does not fit at its natural width, or a right-most column gets cropped (compare at 80)
    if table.split in headers and Measurement.get(out, unclamped, table).maximum > out.width:
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
    pruning = getattr(args, "prune_channels", None) is not None or getattr(args, "max_accuracy_drop", None) is not None
    if args.calibration is not None and getattr(args, "quantize", None) == "none" and not pruning:
        raise TinyccError("--calibration with --quantize none: the samples would not be used",
                          hint="drop one of the two")
    for key, flag in (("calibration_method", "--calibration-method"), ("int16_activations", "--int16-activations"),
                      ("io", "--io"), ("bias_correction", "--bias-correction"),
                      ("sqnr_threshold", "--sqnr-threshold"), ("weights", "--weights"),
                      ("int4_layers", "--int4-layers")):
        if getattr(args, key, None) and not quantising:
            raise TinyccError(f"{flag} applies when tinycc quantises a float model, and nothing is quantised here",
                              hint="add --calibration data.npz (input samples, first axis = samples); a model "
                                   "quantised before keeps its own input and output types")
    if getattr(args, "io_layout", None) not in (None, "source"):
        imp = registry().importer_for(args.model) if Path(args.model).exists() else None
        if imp is not None and imp.name not in ("onnx", "torch"):
            raise TinyccError(f"--io-layout applies to NCHW models (ONNX, PyTorch); {imp.name} models are NHWC already",
                              file=str(args.model), hint="drop --io-layout")


def build_table(title: str, report: dict, first=()) -> TitledTable:
    table = make_table(title, show_header=False)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for row in first:
        table.add_row(*row)
    table.add_row("flash (text + rodata + data)", fmt_bytes(report["flash_bytes"]))
    table.add_row("static RAM (data + bss)", fmt_bytes(report["static_ram_bytes"]))
    table.add_row("largest stack frame", fmt_bytes(report["max_frame_stack_bytes"]))
    return table



JSON_ARG = {"nargs": "?", "const": "-", "metavar": "FILE",
            "help": "the results as JSON: printed instead of the tables (no FILE, or -), or also written to FILE"}
TARGET_HELP = "a board slug or a core name of `tinycc targets`"
CMSIS_HELP = ("CMSIS-NN source tree for cmsis-nn outputs (default: $CMSIS_NN_PATH, else tinycc fetches Arm's "
              "Apache-2.0 sources once into its user cache)")

"""The `tinycc` command: compile, inspect, build, run, bench, compare, targets, report, sweep, plugins.

Each command is a module of tinycc/commands/ (its `cmd_*` function and its `add_parser`); this
module builds the parser from them (plus the options plugins declare, core/backend.py) and runs
one. User errors (TinyccError) print one message and exit with status 2, never a traceback.
Every command that prints a table also takes `--json [FILE]`: the same data as JSON, printed
instead of the tables (no FILE, or `-`) or written to FILE besides them. Tables wrap instead of
cutting: board slugs, names and paths stay whole at 80 columns and in pipes. `--target` takes a
board slug or a core name from `tinycc targets` in every command.
"""
from __future__ import annotations

import argparse
import os
import sys

from rich.console import Console

import tinycc
from tinycc.commands import bench, build, compare, compile, inspect, plugins, report, run, sweep, targets
from tinycc.commands.common import check_options, json_out, make_table, show  # noqa: F401  (the old names)
from tinycc.core import progress
from tinycc.core.errors import TinyccError
from tinycc.progress_display import RichReporter

COMMANDS = (compile, inspect, build, run, bench, compare, targets, report, sweep, plugins)  # `tinycc --help` order


def build_parser() -> argparse.ArgumentParser:
    from tinycc.core.plugins import registry
    p = argparse.ArgumentParser(prog="tinycc", description="TinyML compiler: trained models in, firmware C out.")
    p.add_argument("--version", action="version", version=f"tinycc {tinycc.__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    reg = registry()
    for command in COMMANDS:
        command.add_parser(sub, reg)
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

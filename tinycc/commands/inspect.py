"""`tinycc inspect`: the per-layer table of a model (shapes, MACs, parameters, memory plan)."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import JSON_ARG, fmt_bytes, json_out, make_table, show


def cmd_inspect(args, out: Console) -> int:
    from tinycc.driver import inspect_model, load_model
    info = inspect_model(load_model(args.model))
    if json_out(args.json, info):
        return 0
    cols = ("#", "op", "name", "output", "dtype", "MACs", "params B", "live B", "offset")
    table = make_table(f"tinycc inspect: {args.model} (params B: constant bytes; live B: arena bytes live)", cols,
                       keys=("op", "output", "dtype"), right=("#", "MACs", "params B", "live B", "offset"),
                       split="name")
    for layer in info["layers"]:
        table.add_row(str(layer["index"]), layer["op"], escape(layer["name"]), "x".join(map(str, layer["output"])),
                      layer["dtype"],
                      fmt_bytes(layer["macs"]), fmt_bytes(layer["param_bytes"]), fmt_bytes(layer["live_arena_bytes"]),
                      str(layer["offset"]))
    show(out, table)
    out.print(f"arena {info['arena_bytes']:,} bytes (bound {info['bound_bytes']:,}, plan '{info['strategy']}'); "
              f"inputs {info['input_bytes']:,} + outputs {info['output_bytes']:,} bytes in caller buffers; "
              f"weights {info['weights_bytes']:,} bytes; {info['macs']:,} MACs")
    return 0


def add_parser(sub, reg):
    """The `inspect` subcommand's parser; `reg` adds the plugins' options."""
    i = sub.add_parser("inspect", help="per-layer table: shapes, MACs, parameters, memory plan")
    i.add_argument("model")
    i.add_argument("--json", **JSON_ARG)
    reg.add_options("inspect", i)
    i.set_defaults(func=cmd_inspect)
    return i

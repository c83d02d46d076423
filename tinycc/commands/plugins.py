"""`tinycc plugins`: the importers, backends and runtimes installed, with their origin."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import JSON_ARG, json_out, make_table, show


def cmd_plugins(args, out: Console) -> int:
    from tinycc.core.plugins import registry
    reg = registry()
    data: dict[str, list] = {
        "plugins": [{"kind": i.kind, "name": i.name, "origin": i.origin, "description": i.description}
                    for i in reg.all()],
        "load_errors": list(reg.load_errors)}
    if json_out(args.json, data):
        return 0
    table = make_table("tinycc plugins", ("kind", "name", "origin", "description"), keys=("kind", "name"))
    for p in data["plugins"]:
        table.add_row(p["kind"], p["name"], escape(p["origin"]), escape(p["description"]))
    show(out, table)
    for err in reg.load_errors:
        out.print(f"[yellow]plugin failed to load:[/yellow] {escape(err)}", soft_wrap=True)
    return 0


def add_parser(sub, reg):
    """The `plugins` subcommand's parser; `reg` adds the plugins' options."""
    pl = sub.add_parser("plugins", help="list importers, backends and runtimes with their origin")
    pl.add_argument("--json", **JSON_ARG)
    reg.add_options("plugins", pl)
    pl.set_defaults(func=cmd_plugins)
    return pl

"""`tinycc report`: will this model fit this board? The budget, layers, latency and power as tables."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tinycc.commands.common import (
    CMSIS_HELP,
    JSON_ARG,
    board_slug,
    check_options,
    fmt_bytes,
    json_out,
    make_table,
    show,
)


def cmd_report(args, out: Console) -> int:
    from tinycc.report import fmt_seconds, make_report
    check_options(args, args.backend)
    rep = make_report(args.model, board_slug(args.target, "report"), args.backend,
                      stack_bytes=round(args.stack_kb * 1024),
                      latency_mode=args.latency, cycles_per_mac=args.cycles_per_mac, duty_cycle=args.duty_cycle,
                      rate_hz=args.rate, battery_mah=args.battery_mah, battery_v=args.battery_v,
                      active_mw=args.active_mw, sleep_mw=args.sleep_mw, extra_mw=args.extra_mw, cmsis_nn=args.cmsis_nn,
                      patch_tiles=args.patch_tiles, quantize={"calibration": args.calibration, "io": args.io})
    if args.html:
        from tinycc.report_html import write_html
        write_html(rep, args.html)
    if json_out(args.json, rep):
        return 0 if rep["fits"] else 1
    b, fl, sr = rep["board"], rep["flash"], rep["sram"]
    budget = make_table(f"tinycc report: {args.model} ({args.backend}) on {b['slug']} "
                        f"({b['title']}, {b['core']} at {b['clock_mhz']} MHz)", ("budget", "item", "bytes", "how"),
                        right=("bytes",))

    def ok(good: bool, text: str) -> str:
        return f"[green]{text}[/green]" if good else f"[bold red]{text}[/bold red]"

    budget.add_row("flash", f"model ({fl['what']})", fmt_bytes(fl["model_bytes"]),
                   f"{fl['share']:.1%} of {fl['board_bytes']:,} B flash")
    budget.add_row("flash", "budget: under 50% of flash", fmt_bytes(fl["limit_bytes"]),
                   ok(fl["ok"], "within" if fl["ok"] else f"over by {fl['model_bytes'] - fl['limit_bytes']:,} B"))
    for key, label, how in (("arena_bytes", "arena", sr["arena_what"]), ("margin_bytes", "margin", sr["margin_what"]),
                            *((("state_bytes", "state", sr["state_what"]),) if sr.get("state_bytes") else ()),
                            ("input_bytes", "input buffers", sr["io_what"]),
                            ("output_bytes", "output buffers", sr["io_what"]),
                            ("stack_bytes", "stack + heap reserve", "--stack-kb")):
        budget.add_row("SRAM", label, fmt_bytes(sr[key]), escape(how))
    budget.add_row("SRAM", f"total, of {sr['board_bytes']:,} B SRAM", fmt_bytes(sr["total_bytes"]),
                   ok(sr["ok"],
                      f"{sr['headroom_bytes']:,} B left" if sr["ok"] else f"over by {-sr['headroom_bytes']:,} B"))
    show(out, budget)
    timed = all("seconds" in layer for layer in rep["layers"]) and rep["layers"]
    cols = ("#", "op", "name", "output", "MACs", "weights", "live bytes", "offset") + (("time",) if timed else ())
    layers = make_table(f"layers ({rep['plan']['what']})", cols, keys=("op",),
                        right=[c for c in cols if c not in ("op", "name", "output")], split="name")
    for layer in rep["layers"]:
        layers.add_row(str(layer["index"]), layer["op"], escape(layer["name"]),
                       "x".join(map(str, layer["output"])) + " " + layer["dtype"],
                       fmt_bytes(layer["macs"]), fmt_bytes(layer["weights_bytes"]), fmt_bytes(layer["live_bytes"]),
                       "-" if layer["offset"] is None else str(layer["offset"]),
                       *((fmt_seconds(layer["seconds"]),) if timed else ()))
    show(out, layers)
    lat = rep["latency"]
    out.print(f"latency: {fmt_seconds(lat['seconds'])} per inference, {escape(lat['basis'])}", soft_wrap=True)
    if lat.get("why_not_measured"):
        out.print(f"  (not measured: {escape(lat['why_not_measured'])})", soft_wrap=True)
    if rep["build"]:
        out.print(f"measured build: {rep['build']['program_flash_bytes']:,} B flash (model + runner + C library), "
                  f"worst-case stack of the model code {rep['build']['worst_case_stack_bytes']:,} B", soft_wrap=True)
    p = rep["power"]
    if p:
        power = make_table("power (seed §10.1)", ("component", "power mW", "duty cycle", "average mW"),
                           right=("power mW", "duty cycle", "average mW"))
        power.add_row("MCU, inference", f"{p['active_mw']:g}", f"{p['duty_cycle']:.2%}",
                      f"{p['mcu_active_avg_mw']:.4g}")
        power.add_row("MCU, deep sleep", f"{p['sleep_mw']:g}", f"{1 - p['duty_cycle']:.2%}",
                      f"{p['mcu_sleep_avg_mw']:.4g}")
        if p["extra_mw"]:
            power.add_row("other components (--extra-mw)", "", "", f"{p['extra_mw']:.4g}")
        power.add_row("[bold]total average[/bold]", "", "", f"[bold]{p['average_mw']:.4g}[/bold]")
        show(out, power)
        out.print(f"duty cycle: {p['duty_cycle']:.2%} ({escape(p['duty_what'])})", soft_wrap=True)
        if p.get("battery_mah"):
            life = (f"{p['battery_hours']:,.0f} hours ({p['battery_days']:,.1f} days)" if p["battery_hours"] is not None
                    else "no finite figure (nothing draws power)")
            out.print(f"battery: {p['battery_mah']:g} mAh x {p['battery_v']:g} V = "
                      f"{p['battery_mwh']:,.0f} mWh -> {life}",
                      soft_wrap=True)
    for note in rep["notes"]:
        out.print(f"[yellow]note:[/yellow] {escape(note)}", soft_wrap=True)
    if args.html:
        out.print(f"HTML report written to {escape(args.html)}", soft_wrap=True)
    out.print("verdict: " + ok(rep["fits"], escape(rep["verdict"])), soft_wrap=True)
    return 0 if rep["fits"] else 1


def add_parser(sub, reg):
    """The `report` subcommand's parser; `reg` adds the plugins' options."""
    rp = sub.add_parser("report", help="flash and SRAM budget on a board: fits / does not fit, per-layer memory, "
                                       "latency, power",
                                       description="Exit status: 0 fits, 1 does not fit, 2 user error.")
    rp.add_argument("model")
    rp.add_argument("--target", "--board", "-t", dest="target", required=True,
                    help="a board of `tinycc targets` (a core has no memory to budget)")
    rp.add_argument("--backend", "-b", default="c", help="backend name (see `tinycc plugins`), default c")
    rp.add_argument("--stack-kb", type=float, default=8,
                    help="stack + heap reserve in KB (default 8, the seed's minimum)")
    rp.add_argument("--latency", choices=("auto", "qemu", "macs"), default="auto",
                    help="auto: count instructions under QEMU when the board's core and the backend allow it, else "
                         "estimate from MACs; qemu: must measure; macs: estimate only (fast)")
    rp.add_argument("--cycles-per-mac", type=float,
                    help="for the MAC estimate (default: tinycc's measured figure for the backend)")
    rp.add_argument("--duty-cycle", help="share of time spent inferring, e.g. 0.05 or 5%%")
    rp.add_argument("--rate", type=float, metavar="HZ", help="inferences per second: the duty cycle from the latency")
    rp.add_argument("--battery-mah", type=float, help="battery capacity for the battery-life estimate")
    rp.add_argument("--battery-v", type=float, default=3.0, help="battery voltage (default 3.0)")
    rp.add_argument("--active-mw", type=float, help="MCU power while inferring (default: the board's figure)")
    rp.add_argument("--sleep-mw", type=float, help="MCU deep-sleep power (default: the board's figure)")
    rp.add_argument("--extra-mw", type=float, default=0.0,
                    help="average power of the other components (microphone, radio, ...), added to the total")
    rp.add_argument("--calibration", help="as compile --calibration: quantise a float model to int8 first")
    rp.add_argument("--io", choices=("float", "int8"),
                    help="as compile --io: the quantised model's I/O buffers counted as float32 (default) or int8")
    rp.add_argument("--cmsis-nn", help=CMSIS_HELP)
    rp.add_argument("--patch-tiles", type=int, metavar="N",
                    help="as compile --patch-tiles: the first layers in N row bands (smaller arena)")
    rp.add_argument("--json", **JSON_ARG)
    rp.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report with a memory timeline")
    reg.add_options("report", rp)
    rp.set_defaults(func=cmd_report)
    return rp

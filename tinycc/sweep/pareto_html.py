"""The Pareto fronts of a sweep (accuracy up, latency and peak SRAM down, per board), the best point
per board, and the self-contained HTML page that shows them (matplotlib plots inline as SVG; tables
only, with a note, when matplotlib is not installed: `pip install tinycc-ml[report]`)."""
from __future__ import annotations

import html
import io
from pathlib import Path

from tinycc.report import fmt_seconds
from tinycc.sweep.results import accuracy


def _objectives(r: dict) -> tuple[float, float, float]:
    acc = accuracy(r)
    return (-(acc if acc is not None else -1.0), r["latency_s"], r["peak_sram_bytes"])


def dominates(a: dict, b: dict) -> bool:
    oa, ob = _objectives(a), _objectives(b)
    return all(x <= y for x, y in zip(oa, ob)) and oa != ob


def front(records: list[dict]) -> list[dict]:
    """The successful points no other successful point beats on every objective (ties all kept),
    ordered by latency."""
    ok = [r for r in records if r["status"] == "ok"]
    return sorted((r for r in ok if not any(dominates(o, r) for o in ok)), key=lambda r: _objectives(r)[1:])


def by_board(records: list[dict]) -> dict[str, list[dict]]:
    boards: dict[str, list[dict]] = {}
    for r in records:
        boards.setdefault(r["target"], []).append(r)
    return boards


def best(records: list[dict]) -> dict | None:
    """The point to pick on one board: among the points that fit, the most accurate, then the fastest,
    then the least SRAM and flash."""
    fitting = [r for r in records if r["status"] == "ok" and r["fits"]]
    if not fitting:
        return None
    return min(fitting, key=lambda r: (*_objectives(r), r["flash_bytes"], r["model"], r["setting"], r["backend"]))


def _svg(board: str, records: list[dict]) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    ok = [r for r in records if r["status"] == "ok"]
    if not ok:
        return None
    plt.rcParams["svg.hashsalt"] = "tinycc-sweep"          # the same page for the same records
    on_front = {id(r) for r in front(ok)}
    lat = ("latency_s", "latency (ms)", 1e3)
    sram = ("peak_sram_bytes", "peak SRAM (KB)", 1 / 1024)
    panels: list[tuple[tuple[str, str, float], tuple[str, str, float] | None]]
    if any(accuracy(r) is not None for r in ok):          # accuracy against latency, and against SRAM
        panels = [(lat, None), (sram, None)]
    else:                                                 # no evaluation data: latency against SRAM
        panels = [(lat, sram)]
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.8), squeeze=False)

    def value(r, axis):
        if axis is None:
            acc = accuracy(r)
            return acc * 100 if acc is not None else 0.0
        return r[axis[0]] * axis[2]

    for ax, (xa, ya) in zip(axes[0], panels):
        for r in ok:
            x, y = value(r, xa), value(r, ya)
            ax.scatter(x, y, marker="o" if r["fits"] else "x", zorder=3,
                       color="tab:red" if id(r) in on_front else "tab:gray")
            if id(r) in on_front:
                ax.annotate(f"{Path(r['model']).stem}/{r['setting']}/{r['backend']}", (x, y), fontsize=6,
                            xytext=(3, 3), textcoords="offset points")
        for axis, setter in ((xa, ax.set_xscale), (ya, ax.set_yscale)):
            values = [value(r, axis) for r in ok]
            if axis is not None and min(values) > 0 and max(values) / min(values) > 50:
                setter("log")
        ax.set_xlabel(xa[1])
        ax.set_ylabel("accuracy (%)" if ya is None else ya[1])
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"{board}: Pareto front in red (x: does not fit)", fontsize=10)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _row(cells) -> str:
    return "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"


def write_html(records: list[dict], dest, commands: dict[str, str], title: str) -> None:
    """`commands`: each record's key -> the command that reproduces it."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
             "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 6px}code{background:#f4f4f4;padding:2px}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             "<p>Accuracy: against the labels when the data has them, else top-1 agreement with the float model. "
             "Latency, by its source: <i>cycle model</i>, instructions counted under QEMU and timed by tinycc's "
             "Cortex-M4 cycle model; <i>QEMU instructions</i>, counted under QEMU on a core without a cycle model "
             "(one instruction a cycle assumed); <i>MAC estimate</i>, a core QEMU does not run: MACs x the "
             "backend's cycles per MAC measured on the Cortex-M4 (an estimate). Peak SRAM: "
             "arena + state + I/O buffers. The Pareto front: the points no other beats on accuracy, latency and "
             "peak SRAM together.</p>"]
    plotted = False
    for board, recs in sorted(by_board(records).items()):
        parts.append(f"<h2>{html.escape(board)}</h2>")
        choice = best(recs)
        if choice is None:
            parts.append("<p>No point fits this board.</p>")
        else:
            acc = accuracy(choice)
            parts.append(f"<p><b>Best point:</b> {html.escape(choice['model'])}, {html.escape(choice['setting'])}, "
                         f"{html.escape(choice['backend'])}: accuracy {'-' if acc is None else f'{acc:.1%}'}, "
                         f"{fmt_seconds(choice['latency_s'])} ({html.escape(choice['latency_source'])}), "
                         f"{choice['peak_sram_bytes']:,} B peak SRAM, "
                         f"{choice['flash_bytes']:,} B flash.<br>Reproduce: "
                         f"<code>{html.escape(commands.get(choice['key'], ''))}</code></p>")
        svg = _svg(board, recs)
        if svg:
            plotted = True
            parts.append(svg)
        parts.append("<table><tr><th>model</th><th>setting</th><th>backend</th><th>status</th><th>accuracy</th>"
                     "<th>latency</th><th>latency source</th><th>cycles</th><th>instructions</th><th>peak SRAM B</th>"
                     "<th>flash B</th><th>Pareto</th></tr>")
        on_front = {id(r) for r in front(recs)}
        for r in recs:
            ok = r["status"] == "ok"
            acc = accuracy(r) if ok else None
            parts.append(_row([r["model"], r["setting"], r["backend"],
                               ("fits" if r["fits"] else r["verdict"]) if ok else f"{r['status']}: {r['error']}",
                               "-" if acc is None else f"{acc:.1%}", fmt_seconds(r["latency_s"]) if ok else "-",
                               r["latency_source"] if ok else "-",
                               "-" if r["cycles"] is None else f"{r['cycles']:,}",
                               "-" if r["instructions"] is None else f"{r['instructions']:,}",
                               f"{r['peak_sram_bytes']:,}" if ok else "-", f"{r['flash_bytes']:,}" if ok else "-",
                               "yes" if id(r) in on_front else ""]))
        parts.append("</table>")
    if not plotted:
        parts.append("<p>No plots: matplotlib is not installed (pip install 'tinycc-ml[report]') or no point "
                     "succeeded.</p>")
    parts.append("</body></html>\n")
    Path(dest).write_text("\n".join(parts))

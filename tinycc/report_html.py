"""`tinycc report --html`: the report (tinycc.report's data) as one self-contained HTML page.

The page holds the verdict, the memory budget, a memory timeline (matplotlib, embedded as a
base64 PNG: each arena buffer as a box from the layer that writes it to the last that reads it,
at its offset), the per-layer table, latency and power. No scripts, no network: it opens from a
mail attachment or a CI artifact as it is.
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

import jinja2

import tinycc
from tinycc.core.errors import TinyccError
from tinycc.report import fmt_seconds


def timeline_png(rep: dict) -> bytes:
    """The memory timeline: arena offset (y) against layer (x), one box per buffer."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:
        raise TinyccError("the HTML report needs matplotlib", hint="pip install 'tinycc-ml[report]'") from None
    layers, plan = rep["layers"], rep["plan"]
    n = max(len(layers), 1)
    fig = Figure(figsize=(min(4 + 0.3 * n, 14), 4.8), dpi=100, layout="constrained")
    ax = fig.subplots()
    colours = [f"C{i}" for i in range(10)]
    for k, b in enumerate(sorted(plan["buffers"], key=lambda b: (b["first"], b["offset"]))):
        ax.add_patch(Rectangle((b["first"] - 0.4, b["offset"]), b["last"] - b["first"] + 0.8, b["size"],
                               facecolor=colours[k % len(colours)], edgecolor="black", linewidth=0.5, alpha=0.75))
    xs = [layer["index"] for layer in layers]
    live = [layer["live_bytes"] for layer in layers]
    if xs:
        ax.step(xs, live, where="mid", color="black", linewidth=1.2, label="live bytes")
    arena = plan["arena_bytes"]
    ax.axhline(arena, color="crimson", linestyle="--", linewidth=1.2, label=f"arena {arena:,} B")
    top = max([arena, *live, 16])
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, top * 1.1)
    if len(layers) <= 40:
        ax.set_xticks(xs, [f"{layer['index']} {layer['op']}" for layer in layers], rotation=60, ha="right", fontsize=8)
    ax.set_xlabel("layer")
    ax.set_ylabel("arena offset (bytes)")
    ax.set_title("memory timeline: arena offset vs layer")
    if not plan["buffers"]:
        ax.text(0.5, 0.5, "no intermediate tensors: the arena is empty", transform=ax.transAxes, ha="center")
    ax.legend(loc="upper right", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tinycc report: {{ model_name }} on {{ r.board.title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f2f2f2; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-size: 1.4em; font-weight: bold; padding: 0.5em 0.8em; border-radius: 0.3em; }
.fits { background: #e3f6e3; color: #145214; }
.nofit { background: #fbe3e3; color: #7a1010; }
tr.total td { font-weight: bold; }
.ok { color: #145214; } .over { color: #7a1010; font-weight: bold; }
img { max-width: 100%; height: auto; }
.muted { color: #666; }
td.name { max-width: 22em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
</style>
</head>
<body>
<h1>tinycc report</h1>
<p>model <code>{{ r.model }}</code>, backend <b>{{ r.backend }}</b>, board <b>{{ r.board.title }}</b>
({{ r.board.slug }}: {{ r.board.core }} at {{ r.board.clock_mhz }} MHz, {{ "{:,}".format(r.board.sram_kb) }} KB SRAM,
{{ "{:,}".format(r.board.flash_kb) }} KB flash)</p>
<p id="verdict" class="verdict {{ 'fits' if r.fits else 'nofit' }}">{{ 'fits' if r.fits else 'does not fit' }}</p>
{% if r.reasons %}<ul id="reasons">{% for reason in r.reasons %}<li>{{ reason }}</li>{% endfor %}</ul>{% endif %}

<h2>Memory budget (seed guide &sect;10.2)</h2>
<table id="budget">
<tr><th>budget</th><th>item</th><th>bytes</th><th>how</th></tr>
<tr><td>flash</td><td>model ({{ r.flash.what }})</td><td class="n">{{ b(r.flash.model_bytes) }}</td>
<td>{{ "%.1f"|format(100 * r.flash.share) }}% of {{ b(r.flash.board_bytes) }} B flash</td></tr>
<tr class="total"><td>flash</td><td>budget: under 50% of flash</td><td class="n">{{ b(r.flash.limit_bytes) }}</td>
<td class="{{ 'ok' if r.flash.ok else 'over' }}">{{ 'within' if r.flash.ok else 'over by ' + b(r.flash.model_bytes - r.flash.limit_bytes) + ' B' }}</td></tr>
<tr><td>SRAM</td><td>arena</td><td class="n">{{ b(r.sram.arena_bytes) }}</td><td>{{ r.sram.arena_what }}</td></tr>
<tr><td>SRAM</td><td>margin</td><td class="n">{{ b(r.sram.margin_bytes) }}</td><td>{{ r.sram.margin_what }}</td></tr>
<tr><td>SRAM</td><td>input buffers</td><td class="n">{{ b(r.sram.input_bytes) }}</td><td>{{ r.sram.io_what }}</td></tr>
<tr><td>SRAM</td><td>output buffers</td><td class="n">{{ b(r.sram.output_bytes) }}</td><td>{{ r.sram.io_what }}</td></tr>
<tr><td>SRAM</td><td>stack + heap reserve</td><td class="n">{{ b(r.sram.stack_bytes) }}</td><td>--stack-kb</td></tr>
<tr class="total"><td>SRAM</td><td>total, of {{ b(r.sram.board_bytes) }} B SRAM</td><td class="n">{{ b(r.sram.total_bytes) }}</td>
<td class="{{ 'ok' if r.sram.ok else 'over' }}">{{ b(r.sram.headroom_bytes) + ' B left' if r.sram.ok else 'over by ' + b(-r.sram.headroom_bytes) + ' B' }}</td></tr>
</table>

<h2>Memory timeline</h2>
<figure>
<img src="data:image/png;base64,{{ png }}" alt="memory timeline: arena offset vs layer">
<figcaption class="muted">{{ r.plan.what }}; placement '{{ r.plan.strategy }}', {{ b(r.plan.arena_bytes) }} B.</figcaption>
</figure>

<h2>Layers</h2>
<table id="layers">
{% set timed = r.layers and r.layers[0].seconds is defined %}
<tr><th>#</th><th>op</th><th>name</th><th>output</th><th>MACs</th><th>weights (B)</th><th>live bytes</th><th>offset</th>{% if timed %}<th>time</th>{% endif %}</tr>
{% for l in r.layers %}<tr><td class="n">{{ l.index }}</td><td>{{ l.op }}</td><td class="name" title="{{ l.name }}">{{ l.name }}</td>
<td>{{ l.output|join("x") }} {{ l.dtype }}</td><td class="n">{{ b(l.macs) }}</td><td class="n">{{ b(l.weights_bytes) }}</td>
<td class="n">{{ b(l.live_bytes) }}</td><td class="n">{{ l.offset if l.offset is not none else "-" }}</td>{% if timed %}<td class="n">{{ seconds(l.seconds) }}</td>{% endif %}</tr>
{% endfor %}<tr class="total"><td></td><td>total</td><td></td><td></td><td class="n">{{ b(r.macs) }}</td>
<td class="n">{{ b(weights) }}</td><td class="n">{{ b(r.plan.arena_bytes) }} peak</td><td></td>{% if timed %}<td class="n">{{ seconds(r.latency.seconds) }}</td>{% endif %}</tr>
</table>

<h2>Latency</h2>
<p id="latency"><b>{{ seconds(r.latency.seconds) }}</b> per inference, {{ r.latency.basis }}.
{% if r.latency.get('why_not_measured') %}<br><span class="muted">Not measured: {{ r.latency.why_not_measured }}.</span>{% endif %}</p>
{% if r.build %}<p class="muted">Measured build (model + runner + C library): {{ b(r.build.program_flash_bytes) }} B flash,
worst-case stack of the model code {{ b(r.build.worst_case_stack_bytes) }} B.</p>{% endif %}

<h2>Power (seed guide &sect;10.1)</h2>
{% if r.power %}{% set p = r.power %}
<table id="power">
<tr><th>component</th><th>power (mW)</th><th>duty cycle</th><th>average (mW)</th></tr>
<tr><td>MCU, inference</td><td class="n">{{ p.active_mw }}</td><td class="n">{{ pct(p.duty_cycle) }}</td><td class="n">{{ mw(p.mcu_active_avg_mw) }}</td></tr>
<tr><td>MCU, deep sleep</td><td class="n">{{ p.sleep_mw }}</td><td class="n">{{ pct(1 - p.duty_cycle) }}</td><td class="n">{{ mw(p.mcu_sleep_avg_mw) }}</td></tr>
{% if p.extra_mw %}<tr><td>other components (--extra-mw)</td><td></td><td></td><td class="n">{{ mw(p.extra_mw) }}</td></tr>{% endif %}
<tr class="total"><td>total average</td><td></td><td></td><td class="n">{{ mw(p.average_mw) }}</td></tr>
</table>
<p class="muted">Duty cycle: {{ p.duty_what }}.</p>
{% if p.get('battery_mah') %}<p id="battery">Battery: {{ p.battery_mah }} mAh x {{ p.battery_v }} V = {{ "{:,.0f}".format(p.battery_mwh) }} mWh:
{% if p.battery_hours is not none %}<b>{{ "{:,.0f}".format(p.battery_hours) }} hours</b> ({{ "{:,.1f}".format(p.battery_days) }} days){% else %}no finite figure (nothing draws power){% endif %}.</p>{% endif %}
{% else %}<p class="muted">Give --duty-cycle (or --rate) and --battery-mah for the power and battery-life estimate.</p>{% endif %}

{% if r.notes %}<h2>Notes</h2><ul>{% for n in r.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<p class="muted">Generated by tinycc {{ version }}.</p>
</body>
</html>
"""


def render_html(rep: dict) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    png = base64.b64encode(timeline_png(rep)).decode("ascii")
    return env.from_string(TEMPLATE).render(
        r=rep, png=png, version=tinycc.__version__, model_name=Path(rep["model"]).name,
        weights=sum(layer["weights_bytes"] for layer in rep["layers"]),
        b=lambda n: f"{n:,}" if isinstance(n, int) else f"{n:,.0f}", seconds=fmt_seconds,
        pct=lambda x: f"{x:.2%}", mw=lambda x: f"{x:.4g}")


def write_html(rep: dict, path) -> None:
    Path(path).write_text(render_html(rep), encoding="utf-8")

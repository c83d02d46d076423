"""`tinycc report`: will this model fit this board? Plain data for the CLI, --json and --html.

The model is compiled with the chosen backend into a temporary folder, and its figures are
checked with the seed guide's §10.2 memory budget:

- flash: the model as the backend stores it (weights + constants, or the flatbuffer) must stay
  under 50% of the board's flash (room for the firmware and a firmware update);
- SRAM: arena + 10% margin + the caller's input/output buffers (for backends whose I/O lives
  outside the arena) + a stack reserve (8 KB, the seed's minimum) must fit the board's SRAM.

The verdict is "fits" or "does not fit: <which budget, by how many bytes>". Latency comes from
instructions counted under QEMU when the board is a Cortex-M QEMU can run and the backend's
output is plain C (assuming one instruction per cycle), else from MACs x an assumed number of
cycles per MAC; the report says which. With a duty cycle (or an inference rate) the seed's
§10.1 power model gives the average power, and with a battery its life.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

from tinycc.boards import board as load_board
from tinycc.budget import (  # noqa: F401  (re-exported: the budget's figures are the report's)
    FLASH_SHARE,
    MARGIN,
    STACK_BYTES,
    budget,
    check_fits,
    flash_budget,
    heaviest_layer,
    layer_plan,
    peak_layer,
    short,
    sram_budget,
)
from tinycc.core import ops, planner
from tinycc.core.errors import TinyccError


def parse_fraction(text) -> float:
    """A duty cycle as a fraction 0..1: `0.05` or `5%`."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise TinyccError(f"duty cycle {raw!r} is not a number", hint="e.g. --duty-cycle 0.05 or 5%") from None
    if not 0.0 <= value <= 1.0:                      # also refuses nan
        raise TinyccError(f"duty cycle {raw!r} is outside 0..1 (0%..100%)", hint="e.g. --duty-cycle 0.05 or 5%")
    return value


def fmt_seconds(s: float) -> str:
    """A duration for people: 1.87 s, 12.3 ms, 450 us."""
    if s >= 1:
        return f"{s:.3g} s" if s < 100 else f"{s:,.0f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def _positive(name: str, value, allow_zero: bool = False):
    if value is not None and not (value > 0 or (allow_zero and value == 0)):
        raise TinyccError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value:g}")
    return value


def layer_rows(g, plan: planner.MemoryPlan) -> list[dict]:
    rows = []
    for i, node in enumerate(g.nodes):
        out = node.outputs[0]
        offset = plan.offsets.get(out, "caller" if out in plan.external else None)
        rows.append({"index": i, "op": node.op, "name": node.name, "output": list(g.tensors[out].shape),
                     "dtype": g.tensors[out].dtype, "macs": ops.macs(node, g),
                     "weights_bytes": sum(g.tensors[n].nbytes for n in node.inputs if n and g.tensors[n].is_const),
                     "live_bytes": plan.live_bytes[i],
                     "offset": offset, "output_bytes": g.tensors[out].nbytes})
    return rows


def _no_qemu_reason(core: str, backend: str, folder: Path) -> str | None:
    from tinycc import cortexm
    if core not in cortexm.TARGETS:
        return f"tinycc runs only the cores of its target database under QEMU, the board's core is {core}"
    if cortexm.TARGETS[core].machine is None:
        return f"QEMU has no board for the {core}"
    missing = [t for t in (cortexm.TARGETS[core].compiler, cortexm.TARGETS[core].qemu) if shutil.which(t) is None]
    if missing:
        return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed"
    try:
        cortexm.model_name(folder)
    except TinyccError:
        return f"the {backend} backend's output has no NAME_invoke C interface to build and run under QEMU"
    return None


def measure(folder: Path, core: str, cmsis_nn=None) -> dict:
    """Cross-build the compiled folder for `core` and count the instructions of one inference on
    one random input (seed 0) under QEMU; where the core has a cycle model also its estimate
    (tinycc/cycle_models.py)."""
    import numpy as np

    from tinycc import cortexm, cycle_models
    from tinycc.core.samples import random_tensor
    build = cortexm.build(folder, core, cmsis_nn=cmsis_nn)
    layout = cortexm.io_layout(folder, build["name"])
    rng = np.random.default_rng(0)
    sample = [random_tensor(rng, shape, dtype) for shape, dtype in layout["input"]]
    model = cortexm.TARGETS[core].cycle_model
    trace: list | None = [] if model else None
    _, insns = cortexm.run(build["elf"], core, [sample], layout["output"], count=True, trace=trace)
    measured = {"instructions": insns, "program_flash_bytes": build["flash_bytes"],
                "cycles": getattr(cycle_models.estimate(model, build["elf"], trace, 1), "cycles", None),
                "static_ram_bytes": build["static_ram_bytes"],
                "worst_case_stack_bytes": build["worst_case_stack_bytes"], "layers": None}
    marked = cortexm.layers(folder, build["name"])
    if marked:       # the split by layer from a profiling build (a marker call before each layer)
        profiled = cortexm.build(folder, core, extra_flags=("-DTINYCC_PROFILE_LAYERS",), cmsis_nn=cmsis_nn)
        trace = [] if model else None
        _, total, parts = cortexm.run(profiled["elf"], core, [sample], layout["output"], count=True, per_layer=True,
                                      trace=trace)
        parts = parts + [0] * (len(marked) + 1 - len(parts))
        modelled = cycle_models.estimate(model, profiled["elf"], trace, 1)
        est = modelled.parts if modelled else parts
        est = est + [0] * (len(parts) - len(est))
        measured["layers"] = [{"op": op, "name": name, "instructions": n, "cycles": c}
                              for (op, name), n, c in zip(marked, parts[1:], est[1:])]
        measured["profiled_instructions"] = total
    return measured


def attach_layer_latency(rows: list[dict], measured: list[dict] | None, clock_hz: float) -> bool:
    """Each layer row gets the instructions counted for it (and seconds at the clock: the core's cycle
    estimate, else one instruction a cycle), matched by op and name as the generated code's
    layer comments give them; nothing when a name is ambiguous or missing (the rows then keep no latency)."""
    from tinycc.backends.c import names
    if not measured:
        return False
    by_key: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for m in measured:
        by_key.setdefault((m["op"], m["name"]), []).append((m["instructions"], m.get("cycles") or m["instructions"]))
    keys = [(r["op"], names.comment(r["name"], 80)) for r in rows]
    if len(set(keys)) != len(keys) or any(len(by_key.get(k, ())) != 1 for k in keys):
        return False
    for r, k in zip(rows, keys):
        r["instructions"] = by_key[k][0][0]
        r["seconds"] = by_key[k][0][1] / clock_hz
    return True


def latency(folder: Path, b: dict, backend: str, macs: int, mode: str, cycles_per_mac,
            cmsis_nn) -> tuple[dict, dict | None]:
    """(latency, build figures or None). mode: auto (QEMU when possible), qemu (must), macs."""
    clock = b["clock_mhz"] * 1e6
    reason = "--latency macs was given" if mode == "macs" else _no_qemu_reason(b["core"], backend, folder)
    if reason is None:
        try:
            built = measure(folder, b["core"], cmsis_nn)
        except TinyccError as exc:
            if mode == "qemu":
                raise
            hint = f" ({exc.hint})" if exc.hint and len(exc.hint) < 200 else ""
            reason = f"measuring under QEMU failed: {exc.message}{hint}"
        else:
            n, c = built["instructions"], built.get("cycles")
            from tinycc import cortexm, cycle_models
            model = cortexm.TARGETS[b["core"]].cycle_model
            how = (f"{c:,} cycles estimated by tinycc's {cycle_models.title(model)} model (TRM instruction timing, "
                   f"zero wait states)" if c and model else "assuming 1 instruction per cycle")
            return ({"method": "qemu", "seconds": (c or n) / clock, "cycles": c or n, "instructions": n,
                     "basis": f"from {n:,} instructions counted under QEMU ({b['core']}, one random input), "
                              f"{how} at {b['clock_mhz']:g} MHz"}, built)
    elif mode == "qemu":
        raise TinyccError(f"cannot measure the latency under QEMU: {reason}", hint="use --latency macs")
    from tinycc.core.backend import cycles_per_mac as declared_cycles_per_mac
    from tinycc.core.plugins import registry
    cpm, why = declared_cycles_per_mac(registry().get("backend", backend))      # the backend's cost model
    if cycles_per_mac is not None:
        cpm, why = cycles_per_mac, "given with --cycles-per-mac"
    cycles = macs * cpm
    return ({"method": "macs", "seconds": cycles / clock, "cycles": cycles, "cycles_per_mac": cpm,
             "basis": f"estimated from {macs:,} MACs x {cpm:g} cycles per MAC ({why}) at {b['clock_mhz']:g} MHz",
             "why_not_measured": reason}, None)


def power(lat: dict, active_mw: float, sleep_mw: float, extra_mw: float, duty, rate_hz,
          battery_mah, battery_v: float) -> dict:
    """The seed's §10.1 model: average = active x duty + sleep x (1 - duty) (+ other components)."""
    if rate_hz is not None:
        need = lat["seconds"] * rate_hz
        duty_what = f"{rate_hz:g} Hz x {fmt_seconds(lat['seconds'])} per inference"
        duty = min(need, 1.0)
    else:
        need, duty_what = duty, "given"
    mcu_active, mcu_sleep = active_mw * duty, sleep_mw * (1.0 - duty)
    avg = mcu_active + mcu_sleep + extra_mw
    result = {"duty_cycle": duty, "duty_what": duty_what, "active_mw": active_mw, "sleep_mw": sleep_mw,
              "extra_mw": extra_mw, "mcu_active_avg_mw": mcu_active, "mcu_sleep_avg_mw": mcu_sleep,
              "average_mw": avg, "rate_hz": rate_hz, "rate_ok": need <= 1.0}
    if battery_mah is not None:
        mwh = battery_mah * battery_v
        hours = mwh / avg if avg > 0 else None        # nothing draws power: no finite figure
        result.update({"battery_mah": battery_mah, "battery_v": battery_v, "battery_mwh": mwh,
                       "battery_hours": hours, "battery_days": hours / 24 if hours is not None else None})
    return result


def make_report(model, board: str, backend: str = "c", *, stack_bytes: int = STACK_BYTES, latency_mode: str = "auto",
                cycles_per_mac: float | None = None, duty_cycle=None, rate_hz: float | None = None,
                battery_mah: float | None = None, battery_v: float = 3.0, active_mw: float | None = None,
                sleep_mw: float | None = None, extra_mw: float = 0.0, cmsis_nn=None,
                patch_tiles: int | None = None, quantize: dict | None = None) -> dict:
    """The whole report for `model` (a path) compiled with `backend` on `board` (a slug), as plain data.
    `quantize`: compile's quantisation options ({"calibration": path, "io": "float" | "int8"}); the
    budget then counts the I/O buffers the chosen `io` implies."""
    from tinycc.core.backend import runtime_plans_arena
    from tinycc.core.plugins import registry
    from tinycc.driver import compile_model, load_model, optimize_model, quantize_model
    b = {"slug": board, **load_board(board)}
    be = registry().get("backend", backend)
    if latency_mode not in ("auto", "qemu", "macs"):
        raise TinyccError(f"unknown latency mode {latency_mode!r}", hint="auto, qemu or macs")
    duty = parse_fraction(duty_cycle) if duty_cycle is not None else None
    if duty is not None and rate_hz is not None:
        raise TinyccError("give either --duty-cycle or --rate, not both",
                          hint="--rate derives the duty cycle from the latency")
    for name, value, zero in (("--rate", rate_hz, False), ("--battery-mah", battery_mah, False),
                              ("--battery-v", battery_v, False), ("--cycles-per-mac", cycles_per_mac, False),
                              ("--active-mw", active_mw, True), ("--sleep-mw", sleep_mw, True),
                              ("--extra-mw", extra_mw, True), ("the stack reserve (bytes)", stack_bytes, True),
                              (f"board {board!r}'s clock_mhz", b["clock_mhz"], False)):
        _positive(name, value, zero)
    wants_power = duty is not None or rate_hz is not None
    if battery_mah is not None and not wants_power:
        raise TinyccError("battery life needs a duty cycle", hint="add --duty-cycle 5% or --rate HZ")
    active = active_mw if active_mw is not None else b.get("active_mw")
    sleep = sleep_mw if sleep_mw is not None else b.get("sleep_mw")
    if wants_power and (active is None or sleep is None):
        raise TinyccError(f"board {board!r} has no power figures", hint="give --active-mw and --sleep-mw")

    g = optimize_model(load_model(model))
    notes = []
    if quantize and quantize.get("calibration") is not None:     # quantised first: rows, plan and build agree
        g = quantize_model(g, quantize)
        notes += g.metadata.notes
        g.metadata.notes, g.metadata.accuracy = [], None
    if patch_tiles:        # patched before compiling, so the budget, the rows and the build agree
        from tinycc.driver import patch_for_backend
        g = patch_for_backend(g, backend, int(patch_tiles))
        notes += g.metadata.notes
        g.metadata.notes = []
    with tempfile.TemporaryDirectory(prefix="tinycc-report-") as tmp:
        folder = Path(tmp) / "model"
        rep = compile_model(copy.deepcopy(g), backend, folder, name="model")
        notes += rep.get("notes", [])
        plan, plan_what = layer_plan(g, backend)
        if not runtime_plans_arena(be) and plan.arena_bytes != rep.get("arena_bytes", plan.arena_bytes):
            notes.append(f"the per-layer rows come from tinycc's plan ({plan.arena_bytes:,} B); "
                         f"the {backend} backend's arena is {rep['arena_bytes']:,} B")
        lat, built = latency(folder, b, backend, rep["macs"], latency_mode, cycles_per_mac, cmsis_nn)

    flash, sram, reasons = budget(g, plan, rep, b, stack_bytes)
    pw = None
    if wants_power:
        assert active is not None and sleep is not None, "refused above when the board has no power figures"
        pw = power(lat, active, sleep, extra_mw, duty, rate_hz, battery_mah, battery_v)
    if pw is not None and not pw["rate_ok"] and rate_hz is not None:
        how = "counted under QEMU" if lat["method"] == "qemu" else "MAC estimate"
        reasons.append(f"rate: one inference takes ~{fmt_seconds(lat['seconds'])} ({how}), "
                       f"longer than the {fmt_seconds(1 / rate_hz)} between inferences at {rate_hz:g} Hz")
    if built and built["worst_case_stack_bytes"] > stack_bytes:
        notes.append(f"the model code's worst-case stack ({built['worst_case_stack_bytes']:,} B, from the call graph) "
                     f"exceeds the {stack_bytes:,} B stack reserve: raise --stack-kb")
    rows = layer_rows(g, plan)
    if built and attach_layer_latency(rows, built.get("layers"), b["clock_mhz"] * 1e6):
        notes.append(f"per-layer latency: instructions counted under QEMU in a profiling build (a marker call "
                     f"before each layer; on a Cortex-M4 timed by tinycc's cycle model), "
                     f"{built['profiled_instructions']:,} instructions in all")
    return {"model": str(model), "backend": backend, "board": b, "fits": not reasons,
            "verdict": "fits" if not reasons else "does not fit: " + "; ".join(reasons), "reasons": reasons,
            "flash": flash, "sram": sram, "macs": rep["macs"], "latency": lat, "power": pw, "build": built,
            "plan": {"arena_bytes": plan.arena_bytes, "what": plan_what, "strategy": plan.strategy,
                     "buffers": [{"name": x.name, "first": x.first, "last": x.last, "offset": x.offset, "size": x.size}
                                 for x in plan.buffers]},
            "layers": rows, "notes": notes}

"""tinycc's cycle models by name: targets.json gives each core's (`cycle_model`, None: instructions only).

Each prices the executed instructions of a QEMU trace (qemu_plugin/insn_count.c with `cycles=1`: every
block run, its runs, taken exits and branch-cache misses) with a core's instruction timings:
cortex-m4 (tinycc/cycles.py: the Cortex-M4 TRM, flash wait states optional), cortex-m0plus
(tinycc/cycles_m0plus.py: the Cortex-M0+ TRM) and cortex-m55 (tinycc/cycles_m55.py: beat-based Helium
timing, scalar code as the M4). `tinycc bench`, the report's latency and the sweep use them."""
from __future__ import annotations

from tinycc import cycles, cycles_m0plus, cycles_m55

TITLES = {"cortex-m4": "Cortex-M4", "cortex-m0plus": "Cortex-M0+", "cortex-m55": "Cortex-M55"}
WAIT_STATES = ("cortex-m4",)           # the models that price flash wait states


def estimate(model: str | None, elf, trace: list | None, samples: int, wait_states: int = 0) -> cycles.Estimate | None:
    """Cycles per inference (total, per part) of the trace by the named model; None without a model or trace."""
    if model is None or trace is None:
        return None
    if model == "cortex-m4":
        return cycles.estimate(elf, trace, samples, wait_states)
    if wait_states:
        raise ValueError(f"the {TITLES[model]} cycle model prices no flash wait states")
    if model == "cortex-m0plus":
        return cycles_m0plus.estimate(elf, trace, samples)
    if model == "cortex-m55":
        return cycles_m55.estimate(elf, trace, samples)
    raise ValueError(f"unknown cycle model {model!r}")


def title(model: str | None) -> str:
    """The core a model times ("Cortex-M0+"), "" for none."""
    return TITLES.get(model or "", "")


def assumptions(model: str | None, wait_states: int = 0) -> str:
    """The named model's assumptions in one line, for the output."""
    if model == "cortex-m4":
        return cycles.assumptions(wait_states)
    return {"cortex-m0plus": cycles_m0plus.ASSUMPTIONS, "cortex-m55": cycles_m55.ASSUMPTIONS}.get(model or "", "")

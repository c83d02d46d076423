"""The seed guide's §10.2 memory budget of a compiled model on a board, and the refusal of
`tinycc compile --target BOARD` when it does not fit (`check_fits`).

- flash: the model as the backend stores it (weights + constants, or the flatbuffer) must stay
  under 50% of the board's flash (room for the firmware and a firmware update);
- SRAM: arena + 10% margin + the persistent state (variable tensors) + the caller's input/output
  buffers (for backends whose I/O lives outside the arena) + a stack reserve (8 KB, the seed's
  minimum) must fit the board's SRAM.

Used by the compile pipeline (tinycc/driver.py) and `tinycc report` (tinycc/report.py); it imports
neither.
"""
from __future__ import annotations

import math

from tinycc.boards import STACK_RESERVE_BYTES
from tinycc.boards import board as load_board
from tinycc.core import planner
from tinycc.core.errors import TinyccError

FLASH_SHARE = 0.5                 # §10.2: weights under 50% of flash
MARGIN = 0.10                     # §10.2: arena_used_bytes + 10%
STACK_BYTES = STACK_RESERVE_BYTES  # §10.2: stack + heap, 8-16 KB: the one figure of tinycc.boards


def layer_plan(g, backend: str) -> tuple[planner.MemoryPlan, str]:
    """The arena plan behind the backend's output, for the per-layer table and the timeline: the
    backend's declared plan options, scratch buffers and I/O placement (core/backend.py)."""
    from tinycc.core.backend import arena_plan
    from tinycc.core.plugins import registry
    return arena_plan(registry().get("backend", backend), g)


def flash_budget(rep: dict, g, flash_bytes: int) -> dict:
    if "flash_weights_bytes" in rep:
        model, what = rep["flash_weights_bytes"], "weights + constants"
    elif "flash_bytes" in rep:
        model, what = rep["flash_bytes"], "flatbuffer"
    else:
        model, what = sum(t.nbytes for t in g.tensors.values() if t.is_const), "graph constants"
    limit = int(flash_bytes * FLASH_SHARE)
    return {"model_bytes": model, "what": what, "board_bytes": flash_bytes, "limit_bytes": limit,
            "share": model / max(flash_bytes, 1), "ok": model < limit}


def sram_budget(rep: dict, sram_bytes: int, stack_bytes: int, plan_arena: int) -> dict:
    if "tflm_measured_arena_bytes" in rep:
        # TF Lite Micro's own measurement (arena_used_bytes); the stub declares it + 10%, 16-byte aligned
        arena = rep["tflm_measured_arena_bytes"]
        margin = rep["arena_bytes"] - arena
        arena_what = "TF Lite Micro's measured arena_used_bytes"
        margin_what = "10%, rounded up to 16 B as the stub declares the arena"
    else:
        arena = rep.get("arena_bytes", plan_arena)
        margin = math.ceil(arena * MARGIN)
        arena_what = ("the backend's static arena" if "arena_bytes" in rep
                      else "tinycc's plan (the backend reports no arena)")
        margin_what = "10% of the arena, rounded up"
    caller_io = "input_bytes" in rep
    inputs = rep.get("input_bytes", 0)
    outputs = rep.get("output_bytes", 0)
    state = rep.get("state_bytes", 0)          # the persistent state buffer beside the arena (variable tensors)
    total = arena + margin + state + inputs + outputs + stack_bytes
    return {"arena_bytes": arena, "arena_what": arena_what, "margin_bytes": margin, "margin_what": margin_what,
            "state_bytes": state, "state_what": "variable tensors, kept across invokes, beside the arena",
            "input_bytes": inputs, "output_bytes": outputs,
            "io_what": "caller's buffers, outside the arena" if caller_io else "inside the arena",
            "stack_bytes": stack_bytes, "total_bytes": total, "board_bytes": sram_bytes,
            "headroom_bytes": sram_bytes - total, "ok": total <= sram_bytes}


def short(name: str, limit: int = 60) -> str:
    """A layer name cut for a message (TFLite names can run to hundreds of characters)."""
    return name if len(name) <= limit else name[:limit - 3] + "..."


def peak_layer(g, plan: planner.MemoryPlan) -> str:
    """The layer where the arena's live bytes peak, for people: `#3 'conv1' (conv_2d), 12,288 B live`."""
    if not plan.live_bytes:
        return "no layer"
    i = max(range(len(plan.live_bytes)), key=lambda k: plan.live_bytes[k])
    node = g.nodes[i]
    return f"layer #{i} {short(node.name)!r} ({node.op}) with {plan.live_bytes[i]:,} B live in the arena"


def heaviest_layer(g) -> str:
    """The layer holding the most constant bytes: `#5 'fc' (fully_connected), 40,960 B of weights`."""
    weights = [sum(g.tensors[n].nbytes for n in node.inputs if n and g.tensors[n].is_const) for node in g.nodes]
    if not weights:
        return "no layer"
    i = max(range(len(weights)), key=lambda k: weights[k])
    return f"layer #{i} {short(g.nodes[i].name)!r} ({g.nodes[i].op}) with {weights[i]:,} B of weights"


def budget(g, plan: planner.MemoryPlan, rep: dict, b: dict, stack_bytes: int = STACK_BYTES):
    """(flash budget, SRAM budget, reasons it does not fit) for a compile report on board `b`;
    each reason names the bytes over and the layer that weighs most."""
    flash = flash_budget(rep, g, b["flash_kb"] * 1024)
    sram = sram_budget(rep, b["sram_kb"] * 1024, stack_bytes, plan.arena_bytes)
    reasons = []
    if not flash["ok"]:
        reasons.append(f"flash: {flash['what']} {flash['model_bytes']:,} B are {flash['share']:.1%} of the "
                       f"{flash['board_bytes']:,} B flash, not under the 50% budget of {flash['limit_bytes']:,} B "
                       f"({flash['model_bytes'] - flash['limit_bytes']:,} B over; largest: {heaviest_layer(g)})")
    if not sram["ok"]:
        io = sram["input_bytes"] + sram["output_bytes"]
        state = f"state {sram['state_bytes']:,} + " if sram["state_bytes"] else ""
        reasons.append(f"SRAM: arena {sram['arena_bytes']:,} + margin {sram['margin_bytes']:,} + {state}I/O {io:,} + "
                       f"stack {sram['stack_bytes']:,} = {sram['total_bytes']:,} B exceeds the "
                       f"{sram['board_bytes']:,} B SRAM by {-sram['headroom_bytes']:,} B "
                       f"(peak at {peak_layer(g, plan)})")
    return flash, sram, reasons


def check_fits(g, rep: dict, backend: str, board: str, stack_bytes: int = STACK_BYTES) -> None:
    """`tinycc compile --target BOARD`: raise a TinyccError naming the budget, the bytes over and
    the layer, when the compiled model does not fit the board."""
    b = {"slug": board, **load_board(board)}
    plan, _ = layer_plan(g, backend)
    _, _, reasons = budget(g, plan, rep, b, stack_bytes)
    if reasons:
        raise TinyccError(f"the model does not fit {board} ({b['title']}): " + "; ".join(reasons),
                          file=g.source or None,
                          hint="`tinycc report MODEL --target BOARD` shows every layer; a float model shrinks "
                               "4x with --calibration (int8); else a smaller model or a board with more memory")

"""The board database: the seed guide's platform table plus generic parts, as data.

Built-in boards live in `boards.json` beside this module; a user adds or overrides boards with
a JSON file of the same shape named by $TINYCC_BOARDS. Slugs are lower-case
(`arduino-nano-33-ble`, `pico2`, `cortex-m0plus-16k`, ...).

Optional power fields, for `tinycc report`'s duty-cycle estimate: `active_mw` (MCU running
inference at `clock_mhz`) and `sleep_mw` (deep sleep between inferences). The Nano 33 BLE's
are the seed guide's (10 mW at 64 MHz, 0.01 mW deep sleep); the other boards' are typical
datasheet figures (run mode from flash with peripherals off; deepest sleep that keeps an RTC
wake-up) for planning, not measurements: override them with `--active-mw`/`--sleep-mw` or a
board file. `arduino_fqbn` (optional) names the board's Arduino core: the `tflm` backend's
`--board` adds an Arduino sketch for boards that have one. `memory` (optional) is the memory map
a linker script uses: {"flash": [origin, KB], "ram": [origin, KB]}, origins as hex strings (the
contiguous RAM region data, arena and stack go in; the `stm32cubeai` backend's linker script).

STACK_RESERVE_BYTES is the one stack + heap reserve every SRAM budget counts (`tinycc report`,
the output folders' READMEs): the seed guide's minimum of its "reserve 8-16 KB".
"""
from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from tinycc.core.errors import TinyccError

FIELDS = ("title", "core", "clock_mhz", "sram_kb", "flash_kb")
OPTIONAL_FIELDS = ("active_mw", "sleep_mw")
STACK_RESERVE_BYTES = 8 * 1024         # the seed guide's section 10.2: stack + heap, reserve 8-16 KB


def load_boards() -> dict[str, dict]:
    boards = json.loads(resources.files("tinycc").joinpath("boards.json").read_text())
    extra = os.environ.get("TINYCC_BOARDS")
    if extra:
        try:
            user = json.loads(Path(extra).read_text())
        except (OSError, ValueError) as exc:
            raise TinyccError(f"cannot read the board file: {exc}", file=extra) from None
        for slug, board in user.items():
            missing = [f for f in FIELDS if f not in board]
            if missing or slug != slug.lower():
                raise TinyccError(f"board {slug!r} is invalid (missing {', '.join(missing) or 'nothing'}; "
                                  "slugs are lower-case)", file=extra, hint=f"fields: {', '.join(FIELDS)}")
            bad = [f for f in OPTIONAL_FIELDS if f in board and not (type(board[f]) in (int, float) and board[f] >= 0)]
            if bad:
                raise TinyccError(f"board {slug!r} is invalid ({', '.join(bad)} must be a number >= 0)", file=extra,
                                  hint=f"optional fields: {', '.join(OPTIONAL_FIELDS)} (milliwatts)")
            if "arduino_fqbn" in board and not isinstance(board["arduino_fqbn"], str):
                raise TinyccError(f"board {slug!r} is invalid (arduino_fqbn must be a string)", file=extra)
            if "memory" in board and memory_map(board) is None:
                raise TinyccError(f"board {slug!r} is invalid (memory must be "
                                  '{"flash": ["0x08000000", KB], "ram": ["0x20000000", KB]})', file=extra)
            boards[slug] = board
    return boards


def board(slug: str) -> dict:
    boards = load_boards()
    if slug not in boards:
        raise TinyccError(f"unknown board {slug!r}", hint="`tinycc targets` lists them: " + ", ".join(sorted(boards)))
    return boards[slug]


def memory_map(b: dict) -> dict[str, tuple[int, int]] | None:
    """{"flash": (origin, bytes), "ram": (origin, bytes)} from a board's `memory` field, None when
    it has none or it is malformed."""
    mem = b.get("memory")
    if not isinstance(mem, dict):
        return None
    try:
        out = {}
        for region in ("flash", "ram"):
            origin, kb = mem[region]
            if not isinstance(origin, str) or type(kb) not in (int, float) or kb <= 0:
                return None
            out[region] = (int(origin, 16), int(kb * 1024))
        return out
    except (TypeError, KeyError, ValueError):
        return None

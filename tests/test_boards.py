"""The board database and `tinycc targets`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tinycc.boards import board, load_boards
from tinycc.core.errors import TinyccError

SEED_BOARDS = ["arduino-nano-33-ble", "esp32-s3", "stm32h747", "pico2", "max78000", "nrf5340", "gap9"]


def test_seed_boards_and_generic_parts_are_known():
    boards = load_boards()
    assert set(SEED_BOARDS) <= set(boards) and "cortex-m0plus-16k" in boards
    assert board("arduino-nano-33-ble")["sram_kb"] == 256 and board("cortex-m0plus-16k")["flash_kb"] == 64
    assert all(slug == slug.lower() for slug in boards)


def test_user_boards_extend_and_are_validated(tmp_path, monkeypatch):
    extra = tmp_path / "boards.json"
    extra.write_text(json.dumps({"my-board": {"title": "Mine", "core": "cortex-m4", "clock_mhz": 80, "sram_kb": 96,
                                              "flash_kb": 512}}))
    monkeypatch.setenv("TINYCC_BOARDS", str(extra))
    assert board("my-board")["sram_kb"] == 96
    extra.write_text(json.dumps({"Bad": {"title": "x"}}))
    with pytest.raises(TinyccError, match="invalid"):
        load_boards()


def test_cli_targets_lists_them_and_unknown_board_is_clear():
    proc = subprocess.run([sys.executable, "-m", "tinycc", "targets"], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and all(slug in proc.stdout for slug in SEED_BOARDS)
    with pytest.raises(TinyccError, match="unknown board 'z80-board'"):
        board("z80-board")

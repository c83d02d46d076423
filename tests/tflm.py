"""Test support: TF Lite Micro as the oracle, and where the shared real models live."""
from __future__ import annotations

import os
from pathlib import Path

from tinycc.backends.tflm.interpreter import measure_arena, run_tflm  # noqa: F401  (re-exported for tests)

REPO = Path(__file__).resolve().parents[1]


def models_dir() -> Path:
    """$TINYCC_MODELS, or ../shared/models beside the repository."""
    return Path(os.environ.get("TINYCC_MODELS", REPO.parent / "shared" / "models"))


def tflm_arena_bytes(model: bytes) -> dict[str, int]:
    return measure_arena(model)

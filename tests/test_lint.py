"""The tree is lint-clean and type-clean under the project's own configuration (pyproject.toml):
`ruff check .` reports nothing, and mypy (tools/typecheck.py: non-strict everywhere, strict on the
modules of the strict override) reports no error. Each check skips when its tool is not installed
(pip install -e ".[dev]")."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "All checks passed!" in proc.stdout, proc.stdout + proc.stderr


def test_mypy_finds_nothing():
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "typecheck.py")],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "Success: no issues found" in proc.stdout, proc.stdout[-6000:] + proc.stderr

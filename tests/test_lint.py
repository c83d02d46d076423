"""The tree is lint-clean and type-clean under the project's own configuration (pyproject.toml):
`ruff check .` reports nothing; mypy (tools/typecheck.py: non-strict everywhere, strict on core/
except the operator modules core/ops/<op>.py) reports nothing. The strict check is read back from
pyproject.toml, so dropping it from the configuration fails here too. Each check skips when its tool
is not installed (pip install -e ".[dev]")."""
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# what mypy's --strict turns on per module (`strict = true` in an override would turn it on everywhere)
STRICT_FLAGS = ("disallow_any_generics", "disallow_subclassing_any", "disallow_untyped_calls", "disallow_untyped_defs",
                "disallow_incomplete_defs", "check_untyped_defs", "disallow_untyped_decorators", "warn_return_any",
                "warn_unused_ignores", "no_implicit_reexport", "strict_equality", "extra_checks")
STRICT_CORE = ("tinycc.core.*", "tinycc.core.ops", "tinycc.core.ops.common", "tinycc.core.ops._tflite",
               "tinycc.core.ops.protocol")


def test_ruff_finds_nothing():
    pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "All checks passed!" in proc.stdout, proc.stdout + proc.stderr


def test_core_is_configured_strict():
    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["overrides"]
    strict = [o for o in overrides if set(STRICT_CORE) <= set(o.get("module", []))]
    assert len(strict) == 1, "no [[tool.mypy.overrides]] makes core/ strict"
    assert all(strict[0].get(flag) is True for flag in STRICT_FLAGS), strict[0]
    assert not any(o.get("strict") for o in overrides), "strict = true in an override is global (mypy issue 11401)"


def test_mypy_finds_nothing():
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "typecheck.py")],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert "error: Cannot find" not in proc.stdout and not proc.stderr.strip(), proc.stdout[-6000:] + proc.stderr
    assert proc.returncode == 0 and "Success: no issues found" in proc.stdout, proc.stdout + proc.stderr

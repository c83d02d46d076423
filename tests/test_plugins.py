"""The plugin system: built-ins found through entry points, a third party added by pip alone."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tinycc.core.plugins import build_registry

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "third_party_backend"


def test_builtins_come_from_entry_points_with_origin():
    reg = build_registry()
    assert "tflite" in reg.names("importer")
    assert "c" in reg.names("backend")
    assert {"reference", "tflm"} <= set(reg.names("runtime"))
    origins = {info.name: info.origin for info in reg.all()}
    assert origins["c"].startswith("tinycc-ml "), origins["c"]
    assert reg.load_errors == []


def test_unknown_backend_error_lists_available():
    reg = build_registry()
    try:
        reg.get("backend", "nope")
    except Exception as exc:
        assert "no backend named 'nope'" in str(exc) and "c" in str(exc)
    else:
        raise AssertionError("expected an error")


def test_third_party_backend_installed_by_pip_alone(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(EXAMPLE)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "COLUMNS": "200"}
    listing = subprocess.run([sys.executable, "-m", "tinycc", "plugins"], env=env, capture_output=True, text=True,
                             check=True).stdout
    assert "summary" in listing and "tinycc-summary-backend 0.1.0" in listing, listing
    out = tmp_path / "out"
    model = ROOT / "examples" / "tiny_kws_int8.tflite"
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "--backend", "summary",
                           "-o", str(out)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    summary = (out / "summary.txt").read_text().splitlines()
    assert summary[0].startswith("model tiny_kws_int8:")
    assert summary[1].startswith("0 conv_2d -> 1x")
    assert summary[-1].startswith("arena ")

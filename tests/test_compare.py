"""`tinycc compare`: runtimes agree where they should, and a wrong one is caught."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tflm import models_dir
from tinycc.compare import compare, random_samples
from tinycc.core import interpreter
from tinycc.core.plugins import registry
from tinycc.plugins.importers.tflite import load_tflite


@pytest.mark.parametrize("rel", ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/ad01_int8.tflite"])
def test_reference_tflm_and_c_are_bit_exact(rel, tmp_path):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compare", str(path), "--runtimes", "reference,tflm,c",
                           "--samples", "3", "--json", str(tmp_path / "c.json")], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "c.json").read_text())
    assert result["baseline"] == "reference" and {r["runtime"] for r in result["results"]} == {"tflm", "c"}
    assert all(r["bit_exact"] and r["max_abs_error"] == 0 for r in result["results"])
    assert proc.stdout.count("yes") == 2


class Perturbed:
    """A deliberately wrong runtime: the reference with one output element off by one."""
    name = "perturbed"

    def available(self):
        return None

    def run(self, g, inputs):
        outs = [o.copy() for o in interpreter.run(g, inputs)]
        flat = outs[0].reshape(-1)
        flat[0] = np.int8(flat[0]) ^ np.int8(1)
        return outs


def test_a_wrong_runtime_is_caught():
    g = load_tflite("examples/tiny_kws_int8.tflite")
    samples = random_samples(g, 4, seed=1)
    result = compare(g, [registry().get("runtime", "reference"), Perturbed()], samples)
    (row,) = result["results"]
    assert row["runtime"] == "perturbed" and not row["bit_exact"]
    assert row["mismatches"] == 4 and row["max_abs_error"] == 1.0


def test_unknown_runtime_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compare", "examples/tiny_kws_int8.tflite", "--runtimes",
                           "reference,quantum"], capture_output=True, text=True)
    assert proc.returncode == 2 and "no runtime named 'quantum'" in proc.stderr

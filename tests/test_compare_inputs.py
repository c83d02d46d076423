"""`tinycc compare --inputs FILE` through the real command line (issue 18): it reads the file with the
calibration loader's own function (tinycc.array_files.load_samples), so it accepts the shapes
calibration accepts, samples with or without the input's leading batch dimension of 1: exit 0 and
the comparison printed, on the exact values in the file. A truly wrong shape exits 2 with one
line naming the file, the array, the model's input and both shapes; never exit 3."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.calibration import load_calibration
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

KWS = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"     # input 'mfcc' (1, 49, 10, 1)


def tinycc(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "300"}                  # tables' titles on one line
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env)


def float_model(path: Path) -> Path:
    """y = fully_connected(x (1, 8)) -> (1, 3), float32: what calibration data is for."""
    rng = np.random.default_rng(3)
    t = {"x": Tensor("x", (1, 8), "float32"),
         "w": Tensor("w", (3, 8), "float32", data=rng.normal(0, 0.5, (3, 8)).astype(np.float32)),
         "b": Tensor("b", (3,), "float32", data=rng.normal(0, 0.1, 3).astype(np.float32)),
         "y": Tensor("y", (), "float32")}
    g = validate(Graph("tiny", t, [Node("fc", "fully_connected", ["x", "w", "b"], ["y"])], ["x"], ["y"], source="t"))
    path.write_bytes(write_tflite(g))
    return path


def test_samples_without_the_batch_dimension_are_compared(tmp_path):
    x = np.random.default_rng(0).integers(-128, 128, (3, 49, 10, 1)).astype(np.int8)     # (N, 49, 10, 1)
    np.save(tmp_path / "in.npy", x)
    proc = tinycc("compare", KWS, "--runtimes", "reference,c", "--inputs", tmp_path / "in.npy")
    assert proc.returncode == 0, proc.stderr
    assert "3 samples" in proc.stdout and "bit-exact" in proc.stdout and "probabilities" in proc.stdout, proc.stdout
    proc = tinycc("compare", KWS, "--runtimes", "reference,c", "--inputs", tmp_path / "in.npy", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert [r["runtime"] for r in result["results"]] == ["c"] and result["results"][0]["bit_exact"]
    assert result["results"][0]["elements"] == 3 * 4                 # 3 samples of 4 classes


def test_compare_takes_every_shape_calibration_takes(tmp_path):
    model = float_model(tmp_path / "fc.tflite")
    g = load_tflite(model)
    rng = np.random.default_rng(1)
    for shape in ((4, 8), (4, 1, 8)):                    # without and with the batch dimension
        np.save(tmp_path / "cal.npy", rng.normal(size=shape).astype(np.float32))
        assert len(load_calibration(tmp_path / "cal.npy", g)) == 4
        proc = tinycc("compare", model, "--runtimes", "reference,c", "--inputs", tmp_path / "cal.npy", "--json")
        assert proc.returncode == 0, (shape, proc.stderr)
        (c,) = json.loads(proc.stdout)["results"]
        assert c["runtime"] == "c" and c["elements"] == 4 * 3 and c["max_abs_error"] < 1e-5, c


def test_a_wrong_shape_is_exit_2_naming_the_input_and_both_shapes(tmp_path):
    np.save(tmp_path / "bad.npy", np.zeros((3, 49, 11, 1), np.int8))
    proc = tinycc("compare", KWS, "--runtimes", "reference,c", "--inputs", tmp_path / "bad.npy")
    assert proc.returncode == 2, proc.stderr
    for needle in (str(tmp_path / "bad.npy"), "array 'bad'", "input 'mfcc'", "(3, 49, 11, 1)",
                   "(N, 1, 49, 10, 1) or (N, 49, 10, 1)"):
        assert needle in proc.stderr, (needle, proc.stderr)
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr

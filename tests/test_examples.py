"""The examples run as their READMEs say: train briefly, compile with tinycc, and the int8 C
model classifies the held-out set within one percentage point of the float model."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tinycc.driver import load_model, optimize_model, quantize_model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ENV = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}


def run(*args):
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def float_accuracy(stdout: str) -> float:
    return float(stdout.split("float accuracy on 500 test samples: ")[1].split("%")[0]) / 100


@pytest.mark.parametrize("example,model_file,extra", [
    ("keyword_spotting", "kws.keras", ["--io", "int8"]),
    ("pytorch_cnn", "kws.pt2", []),
])
def test_example_trains_compiles_and_keeps_accuracy(example, model_file, extra, tmp_path):
    pytest.importorskip("tensorflow" if example == "keyword_spotting" else "torch",
                        reason=f"the {example} example needs its framework extra")
    out = tmp_path / "out"
    acc_float = float_accuracy(run(EXAMPLES / example / "train.py", out))
    compile_out = run("-m", "tinycc", "compile", out / model_file, "--calibration", out / "calibration.npz",
                      *extra, "--name", "kws", "-o", out / "c")
    assert "top-1 agreement" in compile_out and (out / "c" / "kws.h").exists()
    run("-m", "tinycc", "compile", out / model_file, "--calibration", out / "calibration.npz", *extra, "--name", "kws",
        "--backend", "tflm", "--board", "arduino-nano-33-ble", "--verify", "-o", out / "tflm")
    assert (out / "tflm" / "kws" / "kws.ino").exists() and (out / "tflm" / "kws_model_data.cc").exists()

    options = {"calibration": str(out / "calibration.npz"), "io": extra[1] if extra else "float"}
    g = quantize_model(optimize_model(load_model(out / model_file)), options)
    test = np.load(out / "test.npz")
    x, y = test["x"], test["y"]
    t_in = g.tensors[g.inputs[0]]
    if t_in.dtype == "int8":
        x = np.clip(np.round(x / t_in.quant.s) + t_in.quant.zp, -128, 127).astype(np.int8)
    samples = [[x[k].reshape(t_in.shape)] for k in range(len(x))]
    outs = run_exe(build(g, tmp_path), g, samples)
    acc_int8 = float(np.mean([int(np.argmax(o[0])) == int(label) for o, label in zip(outs, y)]))
    assert acc_int8 >= acc_float - 0.01, (acc_int8, acc_float)

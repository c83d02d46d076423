"""The same model and options give byte-identical output folders, across runs and processes.

Each test compiles its cases twice, in two separate Python processes run side by side with
PYTHONHASHSEED 0 and 12345 (so set/dict order or hash-seeded state would show), then compares
the two folder trees: the same file names, every file byte for byte. Cases:
- the shared int8 kws_ref_model and float ad01_fp32 through every backend (c, cmsis-nn,
  microtvm when TVM is installed, tflm with --board, stm32cubeai);
- ad01_fp32 quantised by tinycc's PTQ from a fixed .npz (c backend);
- the bundled example and the hostile-names model of test_hostile_names (c, tflm).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.tflm import models_dir

TESTS = Path(__file__).resolve().parent
EXAMPLE = TESTS.parent / "examples" / "tiny_kws_int8.tflite"
BACKENDS = ["c", "cmsis-nn", *(["microtvm"] if importlib.util.find_spec("tvm") else []), "tflm", "stm32cubeai"]
SEEDS = ("0", "12345")

CHILD = r"""
import copy, json, sys
from tinycc.driver import compile_model
root, cases = sys.argv[1], json.loads(sys.argv[2])
for case in cases:
    model = case["model"]
    if model == "hostile":
        from tests.test_hostile_names import hostile, kws
        model = hostile(kws())
    options = dict(case.get("options", {}))
    compile_model(model, case["backend"], f"{root}/{case['id']}", name=case.get("name", "model"), options=options)
"""


def options_for(backend: str) -> dict:
    return {"board": "arduino-nano-33-ble"} if backend == "tflm" else {}


def compile_twice(tmp_path: Path, cases: list[dict]) -> tuple[Path, Path]:
    roots = [tmp_path / f"seed{seed}" for seed in SEEDS]
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(root), json.dumps(cases)],
                              cwd=TESTS.parent, env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for seed, root in zip(SEEDS, roots)]
    for p in procs:
        _, err = p.communicate(timeout=900)
        assert p.returncode == 0, err[-3000:]
    return roots[0], roots[1]


def assert_identical_trees(a: Path, b: Path, cases: list[dict]):
    for case in cases:
        fa, fb = a / case["id"], b / case["id"]
        names_a = sorted(str(p.relative_to(fa)) for p in fa.rglob("*"))
        names_b = sorted(str(p.relative_to(fb)) for p in fb.rglob("*"))
        assert names_a == names_b, case
        assert names_a, case
        for rel in names_a:
            if (fa / rel).is_file():
                assert (fa / rel).read_bytes() == (fb / rel).read_bytes(), f"{case['id']}: {rel} differs between runs"


def shared(rel: str) -> str:
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    return str(path)


def run_cases(tmp_path: Path, cases: list[dict]):
    a, b = compile_twice(tmp_path, cases)
    assert_identical_trees(a, b, cases)


@pytest.mark.parametrize("rel", ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/ad01_fp32.tflite"])
def test_shared_model_gives_identical_folders_in_every_backend(rel, tmp_path):
    model = shared(rel)
    run_cases(tmp_path, [{"id": b, "model": model, "backend": b, "name": "net", "options": options_for(b)}
                         for b in BACKENDS])


def test_ptq_gives_identical_folders(tmp_path):
    model = shared("mlperf_tiny/ad01_fp32.tflite")
    npz = tmp_path / "calibration.npz"
    np.savez(npz, input_1=np.random.default_rng(0).normal(size=(16, 1, 640)).astype(np.float32))
    run_cases(tmp_path, [{"id": "ptq", "model": model, "backend": "c", "options": {"calibration": str(npz)}},
                         {"id": "ptq-int8-io", "model": model, "backend": "c",
                          "options": {"calibration": str(npz), "io": "int8"}}])


def test_example_and_hostile_names_give_identical_folders(tmp_path):
    run_cases(tmp_path, [{"id": "example-c", "model": str(EXAMPLE), "backend": "c"},
                         {"id": "hostile-c", "model": "hostile", "backend": "c", "name": "a*/b\n"},
                         {"id": "hostile-tflm", "model": "hostile", "backend": "tflm",
                          "options": options_for("tflm")}])

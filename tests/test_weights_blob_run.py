"""`tinycc run` and `tinycc bench` on a folder compiled with `--weights-blob`: the runner links
NAME.weights into the image (tinycc/cortexm.py) and hands it to NAME_set_weights before the first
invoke. Under QEMU (Cortex-M4) the outputs are byte-equal to the same model compiled without the
blob and to TF Lite Micro's; bench counts the inference; a damaged blob is refused with a clear
error (exit 2) instead of the invoke's MISSING status."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.test_weights_blob import small_model
from tinycc.backends.c import weights_blob
from tinycc.cli import main

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="needs arm-none-eabi-gcc and qemu-system-arm")


def tinycc(*args) -> int:
    return main([str(a) for a in args])


def test_run_and_bench_load_the_weights_blob(tmp_path, capsys):
    model = tmp_path / "m.tflite"
    model.write_bytes(small_model(1))
    for folder, extra in (("plain", []), ("blob", ["--weights-blob"])):
        proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(tmp_path / folder),
                               "--name", "model", *extra], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "blob" / "model.weights").is_file() and not (tmp_path / "plain" / "model.weights").exists()
    x = np.random.default_rng(3).integers(-128, 128, (1, 10, 8, 3), dtype=np.int8)
    np.save(tmp_path / "x.npy", x)
    for folder in ("plain", "blob"):
        assert tinycc("run", tmp_path / folder, "--input", tmp_path / "x.npy", "--output",
                      tmp_path / f"{folder}.npy") == 0
    plain, blob = (np.load(tmp_path / f"{f}.npy") for f in ("plain", "blob"))
    assert blob.shape == (1, 10, 8, 8) and blob.dtype == np.int8 and blob.tobytes() == plain.tobytes()
    tflm = pytest.importorskip("tests.tflm", reason="TF Lite Micro's interpreter (pip install tflite-micro)")
    assert blob.tobytes() == tflm.run_tflm(model.read_bytes(), [x])[0].tobytes()

    assert tinycc("bench", tmp_path / "blob", "--json", tmp_path / "bench.json") == 0
    bench = json.loads((tmp_path / "bench.json").read_text())
    assert bench["instructions_per_inference"] > 1000      # three convolutions over 80 pixels, not an early refusal

    damaged = bytearray((tmp_path / "blob" / "model.weights").read_bytes())
    damaged[weights_blob.HEADER_BYTES + 5] ^= 0x01         # one payload bit: the CRC check refuses it
    (tmp_path / "blob" / "model.weights").write_bytes(bytes(damaged))
    capsys.readouterr()
    assert tinycc("run", tmp_path / "blob", "--input", tmp_path / "x.npy", "--output", tmp_path / "d.npy") == 2
    err = " ".join(capsys.readouterr().err.split())           # rich wraps long lines
    assert "status 7" in err and "set_weights refused the weights blob" in err

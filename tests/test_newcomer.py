"""A newcomer's first hour: the CLI says what it does, refuses what it would ignore, and its
output survives an 80-column terminal and a pipe.

- `--target` takes a board slug or a core name of `tinycc targets` in every command;
- options a backend (or a missing quantisation) would ignore are errors; a float model compiled
  without calibration gets a note; the compile report prices float I/O against `--io int8`
  (a 96x96x3 input: 110,592 B float32, 27,648 B int8), and `report` counts what `--io` implies;
- `--verify` prints a pass line; `--json` on every command that prints a table;
- tables at COLUMNS=80 in a pipe: no line over 80, no slug, op name or layer name cut;
- `build`/`bench` in one folder for two cores (a stale runner of the other core was linked:
  "multiple definition of main"); CMSIS-NN found without a path (tinycc/cmsis_nn_fetch.py);
- junk .keras/.h5 files and .pt/.pth pickles get errors that say what they are.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.tflite_builder import act, const, single_op

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"
ARM = shutil.which("arm-none-eabi-gcc") is not None
QEMU = ARM and shutil.which("qemu-system-arm") is not None


def tinycc(*args, env=None, cwd=None):
    """The command as a user pipes it: 80 columns, stdout and stderr captured."""
    base = {"COLUMNS": "80", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root")}
    for key in ("XDG_CACHE_HOME", "CMSIS_NN_PATH"):
        if key in os.environ:
            base[key] = os.environ[key]
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd)


def user_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)


def narrow(text: str) -> list[str]:
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    return lines


def float_model(tmp_path) -> Path:
    """A float32 conv on a 96x96x3 input (VWW's), output 1x24x24x2: nothing quantised."""
    rng = np.random.default_rng(0)
    w = const("w", rng.normal(0, 0.3, (2, 3, 3, 3)).astype(np.float32))
    b = const("b", np.zeros(2, np.float32))
    path = tmp_path / "vww_like.tflite"
    path.write_bytes(single_op("conv_2d", [act("image", (1, 96, 96, 3), "float32"), w, b],
                               act("y", (), "float32"), {"strides": (4, 4)}))
    np.savez(tmp_path / "cal.npz", rng.uniform(-1, 1, (8, 1, 96, 96, 3)).astype(np.float32))
    return path


# --- targets: one vocabulary, 80 columns, JSON --------------------------------------------------

def test_targets_lists_boards_and_cores_whole_at_80_columns():
    proc = tinycc("targets")
    assert proc.returncode == 0, proc.stderr
    lines = narrow(proc.stdout)
    rows = {line.split()[0] for line in lines if line.split()}
    for slug in ("arduino-nano-33-ble", "cortex-m0plus-16k", "stm32h747", "cortex-m4", "cortex-m0plus", "cortex-m33"):
        assert slug in rows, (slug, proc.stdout)
    data = json.loads(tinycc("targets", "--json").stdout)
    assert data["boards"]["arduino-nano-33-ble"]["core"] == "cortex-m4"
    assert data["boards"]["esp32-s3"]["buildable"] is False
    assert data["cores"]["cortex-m0plus"]["qemu_machine"] == "mps2-an385"
    assert "pico2" in data["cores"]["cortex-m33"]["boards"]


def test_plugins_and_inspect_fit_80_columns_and_have_json():
    proc = tinycc("plugins")
    assert proc.returncode == 0
    narrow(proc.stdout)
    listed = json.loads(tinycc("plugins", "--json").stdout)["plugins"]
    assert {("importer", "tflite"), ("backend", "cmsis-nn"),
            ("runtime", "tflm")} <= {(p["kind"], p["name"]) for p in listed}
    info = json.loads(tinycc("inspect", EXAMPLE, "--json").stdout)
    proc = tinycc("inspect", EXAMPLE)
    lines = narrow(proc.stdout)
    words = {w for line in lines for w in line.split()}
    for layer in info["layers"]:          # every op and layer name whole, whichever table holds it
        assert layer["op"] in words and layer["name"] in words, (layer, proc.stdout)


def test_compile_json_to_stdout_or_file(tmp_path):
    proc = tinycc("compile", EXAMPLE, "-o", tmp_path / "a", "--json")
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)              # only JSON on stdout
    assert tinycc("compile", EXAMPLE, "-o", tmp_path / "b", "--json", tmp_path / "r.json").returncode == 0
    written = json.loads((tmp_path / "r.json").read_text())
    assert printed["arena_bytes"] == written["arena_bytes"] > 0 and printed["input_bytes"] == 490  # 49x10 int8


# --- no silent fallbacks ---------------------------------------------------------------------

@pytest.mark.parametrize("extra,needle", [
    (["--tvm-opt", "unroll=2"], "--tvm-opt applies to the microtvm backend, not c"),
    (["--keep-flatbuffer"], "--keep-flatbuffer applies to the tflm backend, not c"),
    (["--part", "stm32f446"], "--part applies to the stm32cubeai backend, not c"),
    (["--verify"], "--verify applies to the tflm backend, not c"),
    (["--io", "int8"], "--io applies when tinycc quantises a float model"),
    (["--calibration-method", "percentile"], "--calibration-method applies when tinycc quantises"),
    (["--int16-activations", "0"], "--int16-activations applies when tinycc quantises"),
    (["--io-layout", "nhwc"], "--io-layout applies to NCHW models"),
])
def test_options_the_compile_would_ignore_are_refused(tmp_path, extra, needle):
    user_error(tinycc("compile", EXAMPLE, "-o", tmp_path / "o", *extra), needle)
    assert not (tmp_path / "o").exists()


def test_float_model_gets_a_note_and_float_io_is_priced(tmp_path):
    model = float_model(tmp_path)
    proc = tinycc("compile", model, "-o", tmp_path / "f")
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "note: float model compiled in float32 (no --calibration)" in text and "--calibration data.npz" in text
    unquantised = tinycc("compile", model, "-o", tmp_path / "g", "--quantize", "none")
    assert "note: float" not in " ".join(unquantised.stdout.split())

    proc = tinycc("compile", model, "-o", tmp_path / "q", "--calibration", tmp_path / "cal.npz", "--json", "-")
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    out_elems = 24 * 24 * 2
    assert rep["input_bytes"] == 96 * 96 * 3 * 4 == 110_592
    assert rep["io_float_bytes"] == 110_592 + 4 * out_elems and rep["io_int8_bytes"] == 27_648 + out_elems
    assert any("with --io int8 they would take 28,800 B (inputs 27,648 B)" in n for n in rep["notes"])
    proc = tinycc("compile", model, "-o", tmp_path / "t", "--calibration", tmp_path / "cal.npz")
    assert "input + output buffers with --io int8" in proc.stdout and "28,800" in proc.stdout
    proc = tinycc("compile", model, "-o", tmp_path / "i8", "--calibration", tmp_path / "cal.npz", "--io", "int8",
                  "--json", "-")
    assert json.loads(proc.stdout)["input_bytes"] == 27_648

    for io, expected in (("float", 110_592), ("int8", 27_648)):
        proc = tinycc("report", model, "--target", "cortex-m4-256k", "--latency", "macs", "--calibration",
                      tmp_path / "cal.npz", "--io", io, "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["sram"]["input_bytes"] == expected
    user_error(tinycc("report", model, "--target", "cortex-m4-256k", "--io", "int8"),
               "--io applies when tinycc quantises")


def test_verify_prints_a_pass_line(tmp_path):
    proc = tinycc("compile", EXAMPLE, "-b", "tflm", "--verify", "-o", tmp_path / "o")
    assert proc.returncode == 0, proc.stderr
    assert "verify: passed" in proc.stdout and "TF Lite Micro ran the written flatbuffer on 3 random inputs" in \
        " ".join(proc.stdout.split())


def test_target_takes_a_board_or_a_core_everywhere(tmp_path):
    proc = tinycc("compile", EXAMPLE, "-o", tmp_path / "b", "--board", "arduino-nano-33-ble")   # the old spelling
    assert proc.returncode == 0, proc.stderr
    assert "Arduino Nano 33 BLE Sense" in (tmp_path / "b" / "README.md").read_text()
    for cmd in (["compile", EXAMPLE, "-o", tmp_path / "c"], ["report", EXAMPLE]):
        user_error(tinycc(*cmd, "--target", "cortex-m4"), "cortex-m4 is a core, not a board", "arduino-nano-33-ble")
    assert not (tmp_path / "c").exists()
    user_error(tinycc("compile", EXAMPLE, "-o", tmp_path / "d", "--target", "commodore-64"), "unknown board")
    user_error(tinycc("build", tmp_path / "b", "--target", "esp32-s3"), "xtensa-lx7 core", "cortex-m4")
    user_error(tinycc("build", tmp_path / "b", "--target", "z80"), "unknown target 'z80'", "cortex-m0plus",
               "arduino-nano-33-ble")


# --- build: two cores in one folder, CMSIS-NN without a path --------------------------------------

@pytest.mark.skipif(not QEMU, reason="needs arm-none-eabi-gcc (with picolibc) and qemu-system-arm")
def test_build_for_two_cores_in_one_folder_and_boards_as_targets(tmp_path):
    out = tmp_path / "o"
    assert tinycc("compile", EXAMPLE, "-o", out).returncode == 0
    (out / "examples").mkdir()                       # a program of the user's own beside the model
    (out / "examples" / "main.c").write_text('#include "../model.h"\nint main(void) { return 0; }\n')
    first = tinycc("build", out, "--target", "cortex-m0plus", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["target"] == "cortex-m0plus"
    proc = tinycc("build", out, "--target", "cortex-m4")         # was: multiple definition of main
    assert proc.returncode == 0, proc.stderr
    bench = tinycc("bench", out, "--target", "arduino-nano-33-ble", "--samples", "1", "--json")
    assert bench.returncode == 0, bench.stderr
    data = json.loads(bench.stdout)
    assert data["target"] == "cortex-m4" and data["instructions_per_inference"] > 27_724   # at least one per MAC
    again = tinycc("bench", out, "--target", "qemu-cortex-m3", "--samples", "1")             # the old spelling
    assert again.returncode == 0, again.stderr
    elf = str(out / "build-cortex-m3" / "prog.elf")
    assert "program: " + elf in again.stdout                    # the path on one line, never cut
    narrow(again.stdout.replace(elf, "ELF").replace(str(out), "OUT"))


def test_cmsis_nn_path_order_and_fetch(tmp_path, monkeypatch):
    """--cmsis-nn wins over CMSIS_NN_PATH, which wins over the cache; an empty cache is filled once
    from the hash-pinned PyPI wheel, with the licence and origin noted."""
    from tinycc import cmsis_nn_fetch
    from tinycc.core.errors import TinyccError
    monkeypatch.setenv("CMSIS_NN_PATH", str(tmp_path / "nowhere"))
    with pytest.raises(TinyccError, match="CMSIS_NN_PATH is not a CMSIS-NN source tree"):
        cmsis_nn_fetch.resolve()
    with pytest.raises(TinyccError, match="--cmsis-nn is not a CMSIS-NN source tree"):
        cmsis_nn_fetch.resolve(tmp_path / "elsewhere")
    monkeypatch.delenv("CMSIS_NN_PATH")
    real_cache = cmsis_nn_fetch.cache_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_CACHE_DIR", str(real_cache.parents[1] / "pip"))      # pip's own cache stays put
    assert cmsis_nn_fetch.cache_dir() == tmp_path / "cache" / "tinycc" / "cmsis-nn-aidge-0.2.1"
    notes: list[str] = []
    try:
        root = cmsis_nn_fetch.resolve(notes=notes)
    except TinyccError as exc:
        pytest.skip(f"PyPI is not reachable: {exc.message}")
    assert root == tmp_path / "cache" / "tinycc" / "cmsis-nn-aidge-0.2.1" / "CMSIS-NN"
    assert (root / "Include" / "arm_nnfunctions.h").exists() and len(list((root / "Source").glob("*/*.c"))) > 50
    assert "SPDX-License-Identifier: Apache-2.0" in (root / "Include" / "arm_nnfunctions.h").read_text()
    assert "fetched Arm CMSIS-NN (Apache-2.0) once from the PyPI wheel aidge-export-arm-cortexm==0.2.1" in notes[0]
    provenance = (root.parent / "PROVENANCE.txt").read_text()
    assert "Apache-2.0" in provenance and cmsis_nn_fetch.WHEEL_SHA256 in provenance
    notes.clear()
    assert cmsis_nn_fetch.resolve(notes=notes) == root and "from tinycc's cache" in notes[0]


@pytest.mark.skipif(not QEMU, reason="needs arm-none-eabi-gcc (with picolibc) and qemu-system-arm")
def test_cmsis_nn_folder_builds_without_a_path(tmp_path):
    from tinycc import cmsis_nn_fetch
    from tinycc.core.errors import TinyccError
    try:
        cmsis_nn_fetch.resolve(None if not os.environ.get("CMSIS_NN_PATH") else os.environ["CMSIS_NN_PATH"])
    except TinyccError as exc:
        pytest.skip(f"CMSIS-NN cannot be had: {exc.message}")
    out = tmp_path / "cm"
    assert tinycc("compile", EXAMPLE, "-b", "cmsis-nn", "-o", out).returncode == 0
    env = {"XDG_CACHE_HOME": str(cmsis_nn_fetch.cache_dir().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--samples", "1"], capture_output=True,
                          text=True, env={k: v for k, v in {**os.environ, **env}.items() if k != "CMSIS_NN_PATH"})
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "note: using Arm CMSIS-NN (Apache-2.0) from tinycc's cache" in text and "PROVENANCE.txt" in text


# --- files that are not what their name says --------------------------------------------------

def test_pt_and_pth_pickles_are_refused_with_how_to_export(tmp_path):
    for name in ("model.pt", "weights.pth"):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:                  # torch.save's layout: a pickle in a zip
            z.writestr("model/data.pkl", b"\x80\x02}q\x00.")
        user_error(tinycc("inspect", path), "pickled PyTorch objects", "unpickling runs code", "torch.export.save",
                   "torch.onnx.export")


def test_an_exported_program_saved_as_pt_still_loads(tmp_path):
    torch = pytest.importorskip("torch", reason="the torch extra exports the program")
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()).eval()
    torch.export.save(torch.export.export(model, (torch.zeros(1, 4),)), str(tmp_path / "model.pt"))
    proc = tinycc("inspect", tmp_path / "model.pt", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "fully_connected" in [layer["op"] for layer in json.loads(proc.stdout)["layers"]]
    assert proc.stderr == ""                               # torch's exporter warnings silenced


def test_junk_keras_files_say_what_is_wrong_and_tensorflow_is_quiet(tmp_path):
    pytest.importorskip("tensorflow", reason="the keras extra reads .keras files")
    keras = pytest.importorskip("keras", reason="the keras extra reads .keras files")
    (tmp_path / "junk.keras").write_bytes(b"not a zip at all")
    user_error(tinycc("inspect", tmp_path / "junk.keras"), "not a Keras model", "zip archive", "model.save")
    (tmp_path / "junk.h5").write_bytes(b"\x00" * 64)
    user_error(tinycc("inspect", tmp_path / "junk.h5"), "no HDF5 signature")
    for name in ("junk.keras", "junk.h5"):
        proc = tinycc("inspect", tmp_path / name)
        assert "File not found" not in proc.stderr and "Lambda" not in proc.stderr and "absl" not in proc.stderr
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu")])
    model.save(tmp_path / "m.keras")
    proc = tinycc("compile", tmp_path / "m.keras", "-o", tmp_path / "out", "--quantize", "none")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""                               # no absl / oneDNN / TF warnings

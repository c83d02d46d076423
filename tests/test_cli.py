"""The `tinycc` command as a user runs it: exit codes, messages, files, determinism.

User errors must give one clear message (file, node, op, what to do), a non-zero exit, no
traceback and no half-written output folder.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tests.ops.check import random_inputs
from tests.tflite_builder import act, q, single_op
from tests.tflm import run_tflm
from tinycc.core import planner
from tinycc.core.passes import memory
from tinycc.plugins.importers.tflite import load_tflite

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"


def tinycc(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def assert_user_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)


def test_compile_example_reports_memory_and_writes_the_interface(tmp_path):
    out = tmp_path / "kws"
    proc = tinycc("compile", EXAMPLE, "--backend", "c", "--name", "kws", "-o", out, "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    assert {"kws.c", "kws.h", "kws_weights.c", "kws_weights.h", "README.md",
            "CMakeLists.txt"} <= {p.name for p in out.iterdir()}
    report = json.loads((tmp_path / "r.json").read_text())
    plan = memory.plan(load_tflite(EXAMPLE), inplace=True, schedule=True)     # the c backend's plan
    assert report["arena_bytes"] == plan.arena_bytes
    header = (out / "kws.h").read_text()
    assert re.search(rf"#define KWS_ARENA_BYTES {plan.arena_bytes}\b", header)
    assert "int kws_invoke(const void *const inputs[], void *const outputs[]);" in header
    assert f"{plan.arena_bytes:,}" in proc.stdout and "peak SRAM" in proc.stdout


def test_compile_is_deterministic(tmp_path):
    for d in ("a", "b"):
        assert tinycc("compile", EXAMPLE, "-o", tmp_path / d, "--name", "kws").returncode == 0
    for f in (p for p in (tmp_path / "a").rglob("*") if p.is_file()):
        rel = f.relative_to(tmp_path / "a")
        assert f.read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def _with_op(model: bytes, builtin: str) -> bytes:
    """The same model with its first operator code replaced (e.g. by an op tinycc lacks)."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    code = getattr(s.BuiltinOperator, builtin)
    m.operatorCodes[0].builtinCode, m.operatorCodes[0].deprecatedBuiltinCode = code, min(code, 127)
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_unsupported_operator_names_op_node_and_supported_list(tmp_path):
    model = single_op("relu", [act("x", (1, 4), "int8", q(0.1, 0))], act("y", (), "int8", q(0.1, 0)))
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(_with_op(model, "GELU"))
    proc = tinycc("compile", bad, "-o", tmp_path / "out")
    assert_user_error(proc, str(bad), "GELU", "not supported", "op0:y", "supported:", "CONV_2D")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")], "temporary folder left behind"


@pytest.mark.parametrize("content,needle", [(b"", "empty"), (b"\x00" * 64, "TFLite"),
                                            (np.random.default_rng(0).bytes(4096), "TFLite")])
def test_corrupt_file_is_a_clear_error(tmp_path, content, needle):
    bad = tmp_path / "broken.tflite"
    bad.write_bytes(content)
    proc = tinycc("compile", bad, "-o", tmp_path / "out")
    assert_user_error(proc, str(bad))
    assert needle.lower() in proc.stderr.lower()
    assert not (tmp_path / "out").exists()


def test_missing_file_and_unknown_backend(tmp_path):
    assert_user_error(tinycc("compile", tmp_path / "nope.tflite", "-o", tmp_path / "o"), "nope.tflite", "no such file")
    assert_user_error(tinycc("compile", EXAMPLE, "--backend", "vhdl", "-o", tmp_path / "o"),
                      "no backend named 'vhdl'", "available backends: c")


def test_existing_output_folder_is_kept_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert_user_error(tinycc("compile", EXAMPLE, "-o", out), "already exists", "--force")
    assert (out / "keep.txt").read_text() == "mine"
    assert tinycc("compile", EXAMPLE, "-o", out, "--force").returncode == 0
    assert not (out / "keep.txt").exists() and (out / "model.h").exists()


def test_inspect_json_matches_the_plan():
    proc = tinycc("inspect", EXAMPLE, "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    g = load_tflite(EXAMPLE)
    plan = memory.plan(g, inplace=True, schedule=True)       # the c backend's plan
    assert info["plain_bytes"] == planner.plan(load_tflite(EXAMPLE)).arena_bytes >= plan.arena_bytes
    assert [layer["op"] for layer in info["layers"]] == [n.op for n in g.nodes]
    assert info["arena_bytes"] == plan.arena_bytes and info["bound_bytes"] == plan.bound_bytes
    assert info["layers"][0]["macs"] == 24 * 4 * 8 * 9          # conv 3x3x1 -> 24x4x8
    assert max(layer["live_arena_bytes"] for layer in info["layers"]) == plan.bound_bytes


def test_inspect_table_has_peak_and_bound():
    proc = tinycc("inspect", EXAMPLE)
    assert proc.returncode == 0
    assert "average_pool_2d" in proc.stdout and "bound" in proc.stdout and "MACs" in proc.stdout


HOSTILE = ['x"; system("reboot"); //', "a*/ int evil; /*", "#include <stdio.h>", "??/", "int"]


def test_hostile_names_compile_cleanly_and_run(tmp_path):
    """Tensor and node names are data: they never reach the C code unsanitised."""
    x = act(HOSTILE[0], (1, 3, 3, 2), "int8", q(0.1, 3))
    y = act(HOSTILE[1], (), "int8", q(0.1, 3))
    model = single_op("max_pool_2d", [x], y, {"kernel": (2, 2), "strides": (1, 1)})
    g = load_tflite(Path("hostile.tflite"), model)
    samples = [random_inputs(g, np.random.default_rng(0))]
    got = run_exe(build(g, tmp_path), g, samples)[0][0]
    np.testing.assert_array_equal(got.reshape(-1), run_tflm(model, samples[0])[0].reshape(-1))
    code = re.sub(r"/\*.*?\*/", "", "".join(p.read_text() for p in tmp_path.glob("*.[ch]")), flags=re.S)
    code = re.sub(r"#include [<\"](stdint|stddef|string|math|float|model|model_weights)(\.h)?[>\"]", "", code)
    assert "system(" not in code and "int evil" not in code and "#include" not in code, code

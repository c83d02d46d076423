"""Generated C on a Cortex-M4 for real: cross-compiled with arm-none-eabi-gcc (picolibc) and run
under QEMU (mps2-an386); every int8 shared model's output byte for byte equal to TF Lite Micro.
A clean exit, a failing status, a fault and a hang are told apart, so a broken build never
passes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_qemu_m4_equals_tflm
from tests.tflm import models_dir, run_tflm
from tinycc import cortexm
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="the Cortex-M toolchain and QEMU are not installed "
                                       f"(apt-get install {cortexm.PACKAGES})")

INT8_MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
               "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
               "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
               "tflm_examples/person_detect.tflite"]


@pytest.mark.parametrize("rel", INT8_MODELS)
def test_c_backend_on_qemu_cortex_m4_equals_tflm(rel, tmp_path):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    g = load_tflite(path)
    write_sources(g, tmp_path)
    report = assert_qemu_m4_equals_tflm(path.read_bytes(), g, tmp_path, 2)
    assert report["flash_bytes"] > 0 and report["static_ram_bytes"] >= 0


@pytest.mark.parametrize("rel", ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite"])
def test_unoptimised_debug_build_on_qemu_cortex_m4_equals_tflm(rel, tmp_path):
    """-O0 (a debug build): the DSP kernels' inline assembly needs registers only an optimising
    build allocates, so such a build takes the plain C paths, and gives the same bytes."""
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    g = load_tflite(path)
    write_sources(g, tmp_path)
    assert_qemu_m4_equals_tflm(path.read_bytes(), g, tmp_path, 1, extra_flags=("-O0",))


def test_frame_pointer_build_with_tinycc_no_asm_on_qemu_cortex_m4_equals_tflm(tmp_path):
    """-fno-omit-frame-pointer (profilers, some RTOS debug builds) takes r7 from the allocator, and the
    widest assembly blocks (14 registers) cannot be given theirs ('impossible constraints'): such a build
    defines TINYCC_NO_ASM, which every assembly and DSP path honours, and runs the plain C paths with the
    same bytes. VWW: its model.c has the tpair/tsmall depthwise, shallow first conv and pointwise blocks."""
    rel = "mlperf_tiny/vww_96_int8.tflite"
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    g = load_tflite(path)
    write_sources(g, tmp_path)
    assert "__asm__" in (tmp_path / "model.c").read_text()
    assert_qemu_m4_equals_tflm(path.read_bytes(), g, tmp_path, 1,
                               extra_flags=("-fno-omit-frame-pointer", "-DTINYCC_NO_ASM"))


def fake_model(folder, body: str):
    """A NAME_invoke whose body misbehaves on purpose."""
    (folder / "model.h").write_text(
        "#include <stddef.h>\n#define MODEL_NUM_INPUTS 1\n#define MODEL_NUM_OUTPUTS 1\n"
        "#define MODEL_INPUT0_BYTES 4\n#define MODEL_OUTPUT0_BYTES 4\n"
        "/* input 0: \"x\" int8 [4], 4 bytes */\n/* output 0: \"y\" int8 [4], 4 bytes */\n"
        "extern const size_t model_input_bytes[1];\nextern const size_t model_output_bytes[1];\n"
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n")
    (folder / "model.c").write_text(
        '#include "model.h"\nconst size_t model_input_bytes[1] = {4};\nconst size_t model_output_bytes[1] = {4};\n'
        "int model_invoke(const void *const inputs[], void *const outputs[]) {\n"
        "    (void)inputs; (void)outputs;\n" + body + "\n}\n")


@pytest.mark.parametrize("body,needle", [
    ("    return 1;", "status 5"),
    ("    *(volatile int *)0xF0000000u = 1; return 0;", "status"),
    ("    for (;;) { __asm__ volatile(\"nop\"); } return 0;", "hung"),
])
def test_failure_hang_and_fault_are_errors(body, needle, tmp_path):
    fake_model(tmp_path, body)
    report = cortexm.build(tmp_path, "cortex-m4")
    with pytest.raises(TinyccError, match=needle):
        cortexm.run(report["elf"], "qemu-cortex-m4", [[np.zeros(4, np.int8)]], [((4,), "int8")], timeout=5)


def test_cli_build_and_run(tmp_path):
    out = tmp_path / "kws"
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    assert subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "-o", str(out),
                           "--name", "kws"], env=env, capture_output=True).returncode == 0
    b = subprocess.run([sys.executable, "-m", "tinycc", "build", str(out), "--target", "cortex-m4"], env=env,
                       capture_output=True, text=True)
    assert b.returncode == 0 and "static RAM" in b.stdout, b.stderr
    x = np.random.default_rng(0).integers(-128, 128, (1, 49, 10, 1)).astype(np.int8)
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([sys.executable, "-m", "tinycc", "run", str(out), "--target", "qemu-cortex-m4",
                        "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open("examples/tiny_kws_int8.tflite", "rb") as f:
        expected = run_tflm(f.read(), [x])[0]
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy").reshape(expected.shape), expected)
    bad = subprocess.run([sys.executable, "-m", "tinycc", "build", str(out), "--target", "z80"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown target 'z80'" in bad.stderr


def test_instruction_count_is_exact_and_repeatable(tmp_path):
    """A model body of a known loop: the count grows by the loop's instructions and repeats exactly."""
    counts = {}
    for n in (1000, 3000):
        folder = tmp_path / f"loop{n}"
        folder.mkdir()
        fake_model(folder, f"    volatile int i; for (i = 0; i < {n}; ++i) {{ }} return 0;")
        report = cortexm.build(folder, "cortex-m4")
        runs = [cortexm.run(report["elf"], "qemu-cortex-m4", [[np.zeros(4, np.int8)]], [((4,), "int8")], count=True)[1]
                for _ in range(2)]
        assert runs[0] == runs[1] > n
        counts[n] = runs[0]
    per_iteration = (counts[3000] - counts[1000]) / 2000
    assert abs(per_iteration - round(per_iteration)) < 0.01 and 3 <= per_iteration <= 12, per_iteration


def test_cli_bench_prints_instructions(tmp_path):
    out = tmp_path / "kws"
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "-o", str(out)],
                   env=env, check=True, capture_output=True)
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--target", "qemu-cortex-m4"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if "instructions per inference" in ln)
    assert int(line.split()[-1].replace(",", "")) > 50_000
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--json"], env=env,
                          capture_output=True, text=True)
    assert json.loads(proc.stdout)["instructions_per_inference"] == int(line.split()[-1].replace(",", ""))


def test_per_layer_counts_split_the_total_at_each_layer_mark(tmp_path):
    """Two marked "layers" of known loops: the parts add up to the total, the second layer costs
    2,000 loop iterations more than the first, and an unprofiled run gives the same total."""
    loop = "{{ volatile int i; for (i = 0; i < {}; ++i) {{ }} }}"
    fake_model(tmp_path, "    void tinycc_marker_layer(void);\n"
               f"    tinycc_marker_layer(); {loop.format(1000)}\n    tinycc_marker_layer(); {loop.format(3000)}\n"
               "    return 0;")
    report = cortexm.build(tmp_path, "cortex-m4")
    sample, layout = [[np.zeros(4, np.int8)]], [((4,), "int8")]
    _, total, parts = cortexm.run(report["elf"], "qemu-cortex-m4", sample * 2, layout, count=True, per_layer=True)
    assert len(parts) == 3 and sum(parts) == total
    assert total == cortexm.run(report["elf"], "qemu-cortex-m4", sample, layout, count=True)[1]
    per_iteration = round((parts[2] - parts[1]) / 2000)      # the second part also holds the return
    assert 3 <= per_iteration <= 12 and abs(parts[2] - parts[1] - 2000 * per_iteration) < 50, parts
    assert abs(parts[1] - 1000 * per_iteration) < 50 and parts[0] < 50, parts
    blocks = []       # the hot-spot listing (benchmarks/profile_cortexm.py) accounts for every instruction
    assert cortexm.run(report["elf"], "qemu-cortex-m4", sample * 2, layout, count=True, blocks=blocks)[1] == total
    assert sum(n * runs for _, n, runs in blocks) == 2 * total
    assert max(runs for _, _, runs in blocks) >= 2 * 3000         # the loop's block, once an iteration


def test_cli_bench_per_layer_names_every_layer(tmp_path):
    out = tmp_path / "kws"
    env = {"COLUMNS": "250", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "-o", str(out),
                    "--name", "kws"], env=env, check=True, capture_output=True)
    layers = cortexm.layers(out, "kws")
    g = load_tflite("examples/tiny_kws_int8.tflite")
    assert [op for op, _ in layers] == [n.op for n in g.nodes]
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--per-layer", "--samples", "1",
                           "--json"],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    entry = next(r["instructions"] for r in data["layers"] if r["op"] == "(entry)")
    total = data["instructions_per_inference"]
    per_layer = [r["instructions"] for r in data["layers"] if r["index"] is not None]
    assert [(r["op"], r["name"]) for r in data["layers"] if r["index"] is not None] == layers
    assert len(per_layer) == len(layers) and entry + sum(per_layer) == total
    assert all(n > 0 for n in per_layer)
    by_op = {}
    for (op, _), n in zip(layers, per_layer):
        by_op[op] = max(by_op.get(op, 0), n)
    assert by_op["conv_2d"] > 10 * by_op["reshape"], by_op     # convolutions cost, a reshape is a view


def test_worst_case_stack_follows_the_call_graph(tmp_path):
    """A chain main -> runner -> invoke -> deep(): the worst case sums the frames on the chain."""
    fake_model(tmp_path, "    return deep(256) == 7 ? 0 : 0;")
    src = (tmp_path / "model.c").read_text()
    (tmp_path / "model.c").write_text(src.replace(
        "int model_invoke(", "__attribute__((noinline)) static int deep(int n) { volatile char buf[512]; "
                             "buf[n] = 7; return buf[n]; }\nint model_invoke(", 1))
    report = cortexm.build(tmp_path, "cortex-m4")
    assert report["max_frame_stack_bytes"] >= 512
    assert report["worst_case_stack_bytes"] > report["max_frame_stack_bytes"]


def test_build_and_run_with_a_relative_folder(tmp_path):
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    repo = __import__("pathlib").Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "tinycc", "compile", str(repo / "examples/tiny_kws_int8.tflite"), "-o",
                    "rel"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    np.save(tmp_path / "x.npy", np.zeros((1, 49, 10, 1), np.int8))
    proc = subprocess.run([sys.executable, "-m", "tinycc", "run", "rel", "--input", "x.npy", "--output", "y.npy"],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(repo / "examples/tiny_kws_int8.tflite", "rb") as f:
        expected = run_tflm(f.read(), [np.zeros((1, 49, 10, 1), np.int8)])[0]
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy").reshape(expected.shape), expected)

"""The `microtvm` backend: TVM 0.27 kernels + tinycc's run function, built with gcc, run for real.

- An ONNX float CNN built here: `tinycc compile --backend microtvm` writes the Model Library
  Format-like folder; its C (with the c backend's harness through NAME_invoke) builds with
  -std=c99 -pedantic -Wall -Wextra -Werror and matches onnxruntime within 1e-5.
- The float shared models: within 1e-4 of tinycc's reference (summation order differs).
- Every int8 shared model: TVM-generated integer conv/depthwise/fully-connected kernels (the
  rest from the c backend), built with gcc and run on 8 random inputs, byte for byte equal to
  TF Lite Micro.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")

from tests.c_build import CC, CFLAGS, HARNESS, run_exe  # noqa: E402
from tests.ops.check import assert_outputs_equal_tflm, random_inputs  # noqa: E402
from tests.tflm import models_dir  # noqa: E402
from tinycc.backends.microtvm.plugin import generate  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.driver import optimize_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402


def build_folder(out: Path) -> Path:
    exe = out / "model_test"
    sources = [str(p) for p in sorted(out.rglob("*.c"))]
    cmd = [CC, *CFLAGS, "-I", str(out), "-I", str(out / "codegen" / "host" / "include"), *sources, str(HARNESS),
           "-o", str(exe), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return exe


def write(files: dict, out: Path):
    for fname, text in files.items():
        path = out / fname
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_onnx_cnn_through_the_cli_matches_onnxruntime(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from tests.test_onnx import small_cnn
    from tinycc.plugins.importers.onnx import load_onnx
    path = small_cnn(tmp_path / "small.onnx")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "--backend", "microtvm",
                           "--name", "model", "-o", str(out)], capture_output=True, text=True,
                           env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    for f in ("codegen/host/src/model_lib.c", "codegen/host/include/tvmgen_model.h", "metadata.json", "model.h",
              "model.c"):
        assert (out / f).exists(), f
    header = (out / "codegen/host/include/tvmgen_model.h").read_text()
    assert "struct tvmgen_model_inputs" in header and "int32_t tvmgen_model_run(" in header
    lib = (out / "codegen/host/src/model_lib.c").read_text()
    assert "tvm/" not in lib and "TVMBackend" not in lib and "malloc" not in lib
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["tvm_version"].startswith("0.27") and meta["arena_bytes"] > 0 and meta["kernels"]
    g = optimize_model(load_onnx(path))
    rng = np.random.default_rng(0)
    samples = [[rng.normal(size=(1, 3, 16, 16)).astype(np.float32)] for _ in range(4)]
    outs = run_exe(build_folder(out), g, samples)
    session = ort.InferenceSession(str(path))
    for k, xs in enumerate(samples):
        np.testing.assert_allclose(outs[k][0], session.run(None, {"x": xs[0]})[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("rel", ["mlperf_tiny/vww_96_float.tflite", "mlperf_tiny/pretrainedResnet.tflite",
                                 "mlperf_tiny/ad01_fp32.tflite", "tflm_examples/hello_world_float.tflite"])
def test_shared_float_models_match_the_reference(rel, tmp_path):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    g = optimize_model(load_tflite(path))
    files, report = generate(g, "model")
    write(files, tmp_path)
    samples = [random_inputs(g, np.random.default_rng(3))]
    out = run_exe(build_folder(tmp_path), g, samples)[0]
    for o, e in zip(out, interpreter.run(g, samples[0])):
        np.testing.assert_allclose(o.reshape(e.shape), e, rtol=1e-4, atol=1e-4)
    assert report["arena_bytes"] > 0


def test_float_model_without_intermediates_builds_with_werror(tmp_path):
    """One kernel from the input straight to the output: no intermediate uses the arena, and the
    folder still builds under -Werror (an unused static arena was a -Wunused-variable error)."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node, Tensor
    g = Graph("relu", {"x": Tensor("x", (1, 8), "float32"), "y": Tensor("y", (1, 8), "float32")},
              [Node("relu", "relu", ["x"], ["y"])], ["x"], ["y"])
    (tmp_path / "relu.tflite").write_bytes(write_tflite(g))
    g = optimize_model(load_tflite(tmp_path / "relu.tflite"))
    files, report = generate(g, "model")
    write(files, tmp_path)
    x = [np.linspace(-2, 2, 8, dtype=np.float32).reshape(1, 8)]
    out = run_exe(build_folder(tmp_path), g, [x])[0]
    np.testing.assert_array_equal(out[0].reshape(1, 8), np.maximum(x[0], 0))   # exact: a max with 0
    assert report["arena_bytes"] == 0


INT8_MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
               "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
               "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
               "tflm_examples/person_detect.tflite"]


@pytest.mark.parametrize("rel", INT8_MODELS)
def test_int8_shared_models_bit_exact_with_tflm(rel, tmp_path):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    g = optimize_model(load_tflite(path))
    files, _ = generate(g, "model")
    write(files, tmp_path)
    lib = (tmp_path / "model.c").read_text()
    assert "tvmgen_model_" in lib, "the MAC-heavy kernels must come from TVM"
    rng = np.random.default_rng(1234)
    samples = [random_inputs(g, rng) for _ in range(8)]
    assert_outputs_equal_tflm(path.read_bytes(), samples, run_exe(build_folder(tmp_path), g, samples))


def test_tvm_opt_knobs_change_the_code_and_are_recorded(tmp_path):
    g = optimize_model(load_tflite("examples/tiny_kws_int8.tflite"))
    base, _ = generate(g, "model")
    unrolled, _ = generate(g, "model", ["unroll=16", "cse=0"])
    assert json.loads(unrolled["metadata.json"])["tvm_opt"] == {"schedule": "mcu", "unroll": "16", "cse": "0",
                                                                "dsp": "1"}
    assert unrolled["model.c"] != base["model.c"]
    write(unrolled, tmp_path)
    samples = [random_inputs(g, np.random.default_rng(5))]
    from tests.tflm import run_tflm
    out = run_exe(build_folder(tmp_path), g, samples)[0][0]
    with open("examples/tiny_kws_int8.tflite", "rb") as f:
        np.testing.assert_array_equal(out.reshape(-1), run_tflm(f.read(), samples[0])[0].reshape(-1))
    from tinycc.core.errors import TinyccError
    with pytest.raises(TinyccError, match="unknown --tvm-opt 'speed'"):
        generate(g, "model", ["speed=max"])


def test_dsp_schedules_call_the_micro_kernels_and_stay_bit_exact(tmp_path):
    """KWS through the tensorised DSP schedules (backends/microtvm/dsp.py): the pointwise and first
    convolutions call the SXTB16/SMLAD gemm micro-kernel, the depthwise ones the 4-channel one, with
    pre-packed weights and folded biases; with dsp=0 none of them; both equal TF Lite Micro on the host."""
    from tests.tflm import run_tflm
    path = "examples/tiny_kws_int8.tflite"
    g = optimize_model(load_tflite(path))
    samples = [random_inputs(g, np.random.default_rng(s)) for s in range(4)]
    with open(path, "rb") as f:
        data = f.read()
    for dsp, calls in (("1", ("tinycc_cols_s8_", "__smlad")), ("0", ())):
        files, _ = generate(g, "model", [f"dsp={dsp}"])
        src = files["model.c"]
        for call in calls:
            assert call in src
        if dsp == "0":
            assert "tinycc_cols_s8_" not in src and "w_packed" not in files["model_weights.c"]
        else:
            assert "w_packed" in files["model_weights.c"] and "bias_folded" in files["model_weights.c"]
        out = tmp_path / dsp
        write(files, out)
        got = run_exe(build_folder(out), g, samples)
        for sample, outs in zip(samples, got):
            np.testing.assert_array_equal(outs[0].reshape(-1), run_tflm(data, sample)[0].reshape(-1))

"""The real models (MLPerf Tiny, TFLM examples) through tinycc vs TF Lite Micro.

int8 models: the reference interpreter and the `c` backend (built with -Werror -pedantic)
must equal TFLM byte for byte on 8 random inputs each. Float models: within the stated
tolerance (float summation order differs), also through the cmsis-nn backend on the host and the
c backend under QEMU on a Cortex-M4 (int8 models there: test_cmsis_nn.py, test_cortexm.py). The
planned arena must never exceed TFLM's.
Models come from $TINYCC_MODELS (default ../shared/models); absent models are skipped.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tests.ops.check import random_inputs
from tests.tflm import models_dir, run_tflm, tflm_arena_bytes
from tinycc.core import interpreter, planner
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

INT8_MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
               "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
               "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
               "tflm_examples/person_detect.tflite"]
FLOAT_MODELS = ["mlperf_tiny/vww_96_float.tflite",
                "mlperf_tiny/pretrainedResnet.tflite", "mlperf_tiny/ad01_fp32.tflite",
                "tflm_examples/hello_world_float.tflite"]
SAMPLES = 8
# float32: different summation order than TFLM's kernels; relative to the output's magnitude
FLOAT_RTOL, FLOAT_ATOL = 1e-4, 1e-4


def model_path(rel):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    return path


@pytest.mark.parametrize("rel", INT8_MODELS)
def test_int8_model_bit_exact_with_tflm(rel, tmp_path):
    path = model_path(rel)
    data = path.read_bytes()
    g = load_tflite(path)
    rng = np.random.default_rng(1234)
    samples = [random_inputs(g, rng) for _ in range(SAMPLES)]
    expected = [run_tflm(data, xs) for xs in samples]
    c_outs = run_exe(build(g, tmp_path), g, samples)
    for k, xs in enumerate(samples):
        ref = interpreter.run(g, xs)
        for i, e in enumerate(expected[k]):
            assert ref[i].dtype == e.dtype
            np.testing.assert_array_equal(ref[i].reshape(e.shape), e, err_msg=f"reference, sample {k}, output {i}")
            np.testing.assert_array_equal(c_outs[k][i].reshape(e.shape), e,
                                          err_msg=f"c backend, sample {k}, output {i}")


@pytest.mark.parametrize("rel", FLOAT_MODELS)
def test_float_model_matches_tflm(rel, tmp_path):
    path = model_path(rel)
    data = path.read_bytes()
    g = load_tflite(path)
    rng = np.random.default_rng(99)
    samples = [random_inputs(g, rng) for _ in range(3)]
    c_outs = run_exe(build(g, tmp_path), g, samples)
    for k, xs in enumerate(samples):
        expected = run_tflm(data, xs)
        ref = interpreter.run(g, xs)
        for i, e in enumerate(expected):
            np.testing.assert_allclose(ref[i].reshape(e.shape), e, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)
            np.testing.assert_allclose(c_outs[k][i].reshape(e.shape), e, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)


def test_hybrid_model_is_refused_with_a_clear_error():
    # MLPerf Tiny's "float32" KWS carries int8 convolution weights (dynamic-range quantisation);
    # TF Lite Micro cannot allocate it either.
    path = model_path("mlperf_tiny/kws_ref_model_float32.tflite")
    with pytest.raises(TinyccError) as err:
        load_tflite(path)
    text = err.value.render()
    assert "hybrid" in text and "conv_2d" in text and "full-integer quantisation" in text


@pytest.mark.parametrize("rel", INT8_MODELS + FLOAT_MODELS)
def test_arena_never_above_tflm(rel):
    path = model_path(rel)
    g = load_tflite(path)
    plan = planner.plan(g)
    tflm = tflm_arena_bytes(path.read_bytes())
    # Our arena holds intermediates only (inputs and outputs stay in the caller's buffers);
    # TFLM's 'head' is its arena for activations (I/O included), 'total' adds its runtime state.
    assert plan.arena_bytes <= tflm["head"] <= tflm["total"], (plan.arena_bytes, tflm)
    assert plan.arena_bytes >= plan.bound_bytes


@pytest.mark.parametrize("rel", FLOAT_MODELS)
def test_float_model_through_cmsis_nn_on_the_host_matches_tflm(rel, tmp_path):
    """The cmsis-nn backend on a float model (its int8 kernels do not apply: tinycc's C throughout)."""
    from tests.cmsis_nn_source import cmsis_nn_root, host_library
    from tinycc.driver import compile_model
    from tinycc.plugins.runtimes.c_host import build_host
    path = model_path(rel)
    root = cmsis_nn_root()
    if root is None:
        pytest.skip("CMSIS-NN is not available (set CMSIS_NN_PATH, or allow pip to download aidge-export-arm-cortexm)")
    report = compile_model(path, "cmsis-nn", tmp_path / "out")
    assert report["cmsis_nn_ops"] == []
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    exe = build_host(tmp_path / "out", ["-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{root / 'Include'}",
                                        str(host_library(root))])
    for xs, outs in zip(samples, run_exe(exe, g, samples)):
        for o, e in zip(outs, run_tflm(path.read_bytes(), xs)):
            np.testing.assert_allclose(o.reshape(e.shape), e, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("rel", FLOAT_MODELS)
def test_float_model_c_on_qemu_cortex_m4_matches_tflm(rel, tmp_path):
    """The c backend's float32 C on the Cortex-M4's single-precision FPU, within the float tolerance."""
    from tests.c_build import write_sources
    from tinycc import cortexm
    path = model_path(rel)
    g = load_tflite(path)
    write_sources(g, tmp_path)
    elf = cortexm.build(tmp_path, "cortex-m4")["elf"]
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    for xs, outs in zip(samples, cortexm.run(elf, "qemu-cortex-m4", samples, layout)):
        for o, e in zip(outs, run_tflm(path.read_bytes(), xs)):
            np.testing.assert_allclose(np.asarray(o).reshape(e.shape), e, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)

"""The `cmsis-nn` backend: Arm CMSIS-NN s8 kernels, bit-exact with TF Lite Micro.

Every int8 shared model, on the host (CMSIS-NN's portable C) and under QEMU Cortex-M4 (its DSP
path), byte for byte equal to TFLM on random inputs. CMSIS-NN comes from $CMSIS_NN_PATH or is
fetched at test time (tests/cmsis_nn_source.py); it is never committed.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.c_build import run_exe
from tests.cmsis_nn_source import host_build, require_cmsis_nn
from tests.ops.check import assert_outputs_equal_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tests.tflm import models_dir
from tinycc import cortexm
from tinycc.backends.cmsis_nn.plugin import CmsisNNBackend, generate
from tinycc.core.backend import arena_plan
from tinycc.plugins.importers.tflite import load_tflite

INT8_MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
               "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
               "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
               "tflm_examples/person_detect.tflite"]


@pytest.fixture(scope="module")
def cmsis():
    root = require_cmsis_nn()
    return root


def model(rel):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    return path


def write(g, folder):
    files, report = generate(g, arena_plan(CmsisNNBackend(), g)[0], "model")     # the compile's plan
    for fname, text in files.items():
        (folder / fname).write_text(text)
    return report


@pytest.mark.parametrize("rel", INT8_MODELS)
def test_host_build_bit_exact_with_tflm(rel, cmsis, tmp_path):
    path = model(rel)
    g = load_tflite(path)
    report = write(g, tmp_path)
    assert {"conv_2d", "depthwise_conv_2d", "fully_connected"} & set(report["cmsis_nn_ops"])
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(8)]
    assert_outputs_equal_tflm(path.read_bytes(), samples, run_exe(host_build(tmp_path, cmsis), g, samples))


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason=f"the Cortex-M toolchain and QEMU are not installed (apt-get install {cortexm.PACKAGES})")
@pytest.mark.parametrize("rel", INT8_MODELS)
def test_qemu_cortex_m4_dsp_bit_exact_with_tflm(rel, cmsis, tmp_path):
    path = model(rel)
    g = load_tflite(path)
    write(g, tmp_path)
    assert_qemu_m4_equals_tflm(path.read_bytes(), g, tmp_path, 2, cmsis_nn=cmsis)


def test_the_compile_plans_once_with_the_scratch_buffers_and_generate_refuses_a_plan_without():
    """The driver's one plan holds CMSIS-NN's scratch buffers (the backend declares scratch_bytes);
    the backend plans nothing itself, and a plan without them is refused, not silently re-made."""
    from tinycc.core import planner
    g = load_tflite(model("mlperf_tiny/kws_ref_model.tflite"))
    plan, _ = arena_plan(CmsisNNBackend(), g)
    sizes = {i: CmsisNNBackend().scratch_bytes(n, g) for i, n in enumerate(g.nodes)}
    # every node CMSIS-NN runs has its scratch; those planned in place with the c kernel (costly pairs) none
    c_kernel = {c.index for c in plan.inplace.values() if c.costly}
    assert plan.scratch and set(plan.scratch) == {i for i, s in sizes.items() if s > 0 and i not in c_kernel}
    _, report = generate(g, plan, "model")
    assert report["arena_bytes"] == plan.arena_bytes
    assert report["scratch_bytes"] == sum(s for i, s in sizes.items() if i not in c_kernel)
    with pytest.raises(ValueError, match="no scratch buffer"):
        generate(g, planner.plan(g), "model")


def test_missing_cmsis_nn_is_a_clear_error(tmp_path, monkeypatch):
    """No path, an empty cache and no way to fetch (an index that does not answer): a clear
    error naming the options; a wrong explicit path is named too."""
    from tinycc.core.errors import TinyccError
    monkeypatch.delenv("CMSIS_NN_PATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for key, value in (("PIP_INDEX_URL", "http://127.0.0.1:9/simple"), ("PIP_NO_CACHE_DIR", "1"),
                       ("PIP_RETRIES", "0"), ("PIP_TIMEOUT", "2")):
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    (tmp_path / "model").mkdir()
    write(load_tflite("examples/tiny_kws_int8.tflite"), tmp_path / "model")
    with pytest.raises(TinyccError, match="CMSIS-NN is not available and fetching it failed") as err:
        cortexm.build(tmp_path / "model", "cortex-m4")
    assert "--cmsis-nn PATH or CMSIS_NN_PATH" in err.value.hint
    with pytest.raises(TinyccError, match="--cmsis-nn is not a CMSIS-NN source tree"):
        cortexm.build(tmp_path / "model", "cortex-m4", cmsis_nn=tmp_path)

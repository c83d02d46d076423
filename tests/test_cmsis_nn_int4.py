"""The `cmsis-nn` backend on 4-bit weights (4w8a): conv_2d, depthwise_conv_2d and fully_connected with
int4 weights call CMSIS-NN's s4 kernels (arm_convolve_wrapper_s4, arm_depthwise_conv_wrapper_s4,
arm_fully_connected_s4) on the weights packed two a byte as TFLite packs them, with their scratch from
the plan, byte for byte equal to TF Lite Micro on the host (CMSIS-NN's portable C) and under QEMU
Cortex-M4 (its DSP paths). CMSIS-NN comes from $CMSIS_NN_PATH or is fetched (tests/cmsis_nn_source.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import run_exe
from tests.cmsis_nn_source import host_build, require_cmsis_nn
from tests.ops.check import assert_outputs_equal_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tests.test_int4_weights import _chain, _model, _wide_model
from tinycc import cortexm
from tinycc.backends.cmsis_nn import ops as twins
from tinycc.backends.cmsis_nn.plugin import CmsisNNBackend, generate
from tinycc.core.backend import arena_plan
from tinycc.plugins.importers.tflite import load_tflite

S4_CALLS = {"conv_2d": "arm_convolve_wrapper_s4(", "depthwise_conv_2d": "arm_depthwise_conv_wrapper_s4(",
            "fully_connected": "arm_fully_connected_s4("}
# the chain (3x3 conv, depthwise stride 2: the s4 opt kernel, FC over 12 rows), the wide model (1x1 conv: the
# fast 1x1 kernel, 3x3 stride 2, FCs of depth 600 and 380), random single layers (odd depths, a depthwise
# multiplier of 2: the generic s4 depthwise kernel)
MODELS = {"chain": _chain, "wide": _wide_model,
          **{f"{op}{seed}": (lambda op=op, seed=seed: _model(np.random.default_rng(seed), op))
             for op in S4_CALLS for seed in (0, 3)}}


@pytest.fixture(scope="module")
def cmsis():
    return require_cmsis_nn()


def _write(model: bytes, folder: Path):
    g = load_tflite(Path("int4.tflite"), model)
    files, report = generate(g, arena_plan(CmsisNNBackend(), g)[0], "model")
    for fname, text in files.items():
        (folder / fname).write_text(text)
    c = (folder / "model.c").read_text()
    int4_ops = {n.op for n in g.nodes if n.op in S4_CALLS and g.tensors[n.inputs[1]].int4}
    for op in int4_ops:
        assert op in report["cmsis_nn_ops"] and S4_CALLS[op] in c, op
    assert "tinycc_s4(" not in c and "_s4_fast(" not in c and "_s4_cols(" not in c     # no c int4 kernel
    return g


@pytest.mark.parametrize("name", list(MODELS))
def test_int4_models_on_the_host_equal_tflm(name, cmsis, tmp_path):
    model = MODELS[name]()
    g = _write(model, tmp_path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(3)]
    assert_outputs_equal_tflm(model, samples, run_exe(host_build(tmp_path, cmsis), g, samples))


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason=f"the Cortex-M toolchain and QEMU are not installed (apt-get install {cortexm.PACKAGES})")
@pytest.mark.parametrize("name", ["chain", "wide", "depthwise_conv_2d3"])
def test_int4_models_on_qemu_cortex_m4_equal_tflm(name, cmsis, tmp_path):
    model = MODELS[name]()
    g = _write(model, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2, cmsis_nn=cmsis)


def test_int4_scratch_is_the_s4_kernels_buffer_sizes():
    """arm_convolve_wrapper_s4_get_buffer_size: 2 int16 columns of kh*kw*ci, none for the 1x1 fast kernel;
    arm_depthwise_conv_wrapper_s4_get_buffer_size: kh*kw*ci int16 where channels stay the same; the same for
    the DSP and MVE families; the FC none."""
    g = load_tflite(Path("wide.tflite"), _wide_model())
    sizes = {n.inputs[1][:2]: {k: twins.scratch_bytes(n, g, k) for k in ("dsp", "mve")} for n in g.nodes
             if n.op in S4_CALLS}
    assert sizes["c1"] == {"dsp": 0, "mve": 0} and sizes["c3"] == {"dsp": 4 * 9 * 13, "mve": 4 * 9 * 13}
    assert sizes["fa"] == sizes["fb"] == {"dsp": 0, "mve": 0}
    g = load_tflite(Path("chain.tflite"), _chain())
    dw = next(n for n in g.nodes if n.op == "depthwise_conv_2d")
    assert twins.scratch_bytes(dw, g, "dsp") == twins.scratch_bytes(dw, g, "mve") == 2 * 6 * 9

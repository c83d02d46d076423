"""CMSIS-NN twins of single operators (backends/cmsis_nn/ops/) against TF Lite Micro, byte for byte:
built with CMSIS-NN's portable C on the host and with its DSP path under QEMU Cortex-M4.

TRANSPOSE_CONV (arm_transpose_conv_s8): the layers its column-to-image loop fits (SAME with kernels
up to stride + 1, VALID at the natural output size or up to stride - 1 larger), odd total paddings
(a padding offset), kernels smaller than the stride, several channels and batches, without bias,
input zero points at both ends, fused activations; the layers it does not fit keep the c kernel
(and are still right).
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from tests.c_build import CC, CFLAGS, HARNESS, run_exe
from tests.cmsis_nn_source import host_library, require_cmsis_nn
from tests.ops.cases._tconv import tconv
from tests.ops.check import assert_outputs_equal_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tinycc import cortexm
from tinycc.backends.cmsis_nn.plugin import CmsisNNBackend, generate
from tinycc.core.backend import arena_plan
from tinycc.plugins.importers.tflite import load_tflite

QEMU = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                          reason=f"the Cortex-M toolchain and QEMU are not installed "
                                 f"(apt-get install {cortexm.PACKAGES})")


@pytest.fixture(scope="module")
def cmsis():
    root = require_cmsis_nn()
    return root


def write(data: bytes, folder):
    from pathlib import Path
    g = load_tflite(Path("test.tflite"), data)
    files, report = generate(g, arena_plan(CmsisNNBackend(), g)[0], "model")     # the compile's plan
    for fname, text in files.items():
        (folder / fname).write_text(text)
    return g, report


def host_outputs(g, folder, cmsis, samples):
    exe = folder / "model_test"
    proc = subprocess.run([CC, *CFLAGS, "-I", str(folder), "-I", str(cmsis / "Include"), str(folder / "model.c"),
                           str(folder / "model_weights.c"), str(HARNESS), str(host_library(cmsis)), "-o", str(exe),
                           "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return run_exe(exe, g, samples)


TCONV = {
    "same-s2-k3": dict(),                                          # total padding 1: offset 1
    "same-s1-k2": dict(strides=(1, 1), kernel=(2, 2), cin=5, cout=7),
    "same-s2x3-k3x4-odd-hw": dict(hw=(3, 7), kernel=(3, 4), strides=(2, 3)),
    "same-s3-k2-kernel-below-stride": dict(kernel=(2, 2), strides=(3, 3)),
    "valid-s2-k3": dict(padding="valid"),
    "valid-s2-k3-plus1": dict(padding="valid", extra=(1, 1)),      # VALID leaves stride - 1 rows at the bias
    "valid-s1-k1": dict(padding="valid", strides=(1, 1), kernel=(1, 1), cin=8, cout=16),
    "same-batch2-no-bias": dict(batch=2, bias=False),
    "same-zp-128-relu": dict(in_zp=-128, act_fn="relu"),
    "same-zp127-relu6": dict(in_zp=127, act_fn="relu6", cin=1, cout=1),
    "valid-hw1-k5-s4": dict(padding="valid", hw=(1, 1), kernel=(5, 5), strides=(4, 4), cin=2, cout=9),
}
# CMSIS-NN's column count ((o + pad_end - k) / s + 1) misses the input size: SAME kernels wider than
# stride + 1, cut or widened outputs; these keep the c kernel
FALLBACK = {"same-s2-k4": dict(kernel=(4, 4)), "same-s1-k3": dict(strides=(1, 1)),
            "same-cut-by-2": dict(extra=(-2, -3)), "valid-plus-stride": dict(padding="valid", extra=(2, 2))}


@pytest.mark.parametrize("case", sorted(TCONV) + sorted(FALLBACK))
def test_transpose_conv_host_equals_tflm(case, cmsis, tmp_path):
    data = tconv(1 + sorted({**TCONV, **FALLBACK}).index(case), **{**TCONV, **FALLBACK}[case])
    g, report = write(data, tmp_path)
    assert ("transpose_conv" in report["cmsis_nn_ops"]) == (case in TCONV)
    if case in TCONV:       # both CMSIS-NN buffers are planned: columns (kh kw h w co) and image (oh ow co), int32
        x, w, y = (g.tensors[n].shape for n in (g.nodes[0].inputs[0], g.nodes[0].inputs[1], g.nodes[0].outputs[0]))
        assert report["scratch_bytes"] == 4 * (w[1] * w[2] * x[1] * x[2] * w[0] + y[1] * y[2] * y[3])
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(4)]
    assert_outputs_equal_tflm(data, samples, host_outputs(g, tmp_path, cmsis, samples))


@QEMU
@pytest.mark.parametrize("case", ["same-s2-k3", "same-s2x3-k3x4-odd-hw", "valid-s2-k3-plus1", "same-batch2-no-bias",
                                  "valid-s1-k1"])
def test_transpose_conv_qemu_cortex_m4_equals_tflm(case, cmsis, tmp_path):
    data = tconv(1 + sorted({**TCONV, **FALLBACK}).index(case), **TCONV[case])
    g, report = write(data, tmp_path)
    assert "transpose_conv" in report["cmsis_nn_ops"]
    assert_qemu_m4_equals_tflm(data, g, tmp_path, 2, cmsis_nn=cmsis)

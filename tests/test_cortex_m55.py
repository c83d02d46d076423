"""Cortex-M55 with Helium (MVE) for real: cross-compiled for -mcpu=cortex-m55 and run under QEMU
(mps3-an547). Every MLPerf Tiny int8 model's output byte for byte equal to TF Lite Micro's with the
c backend (its Helium kernels, kernels/optimised/mve_*.h: dot products, im2col convolution, fully
connected, 3x3 depthwise, int8 ADD; their edge shapes in tests/test_mve_kernels.py) and the cmsis-nn backend (CMSIS-NN's
MVE kernels, the arena's scratch sized for them); the MVE dot products' lengths and alignments
(whole vectors, tail-predicated remainders, odd lengths, unaligned starts) against exact integer
sums; the scratch sizes per CMSIS-NN build."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.ops.check import assert_outputs_equal_tflm, random_inputs
from tests.tflm import models_dir
from tinycc import cortexm

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="the Cortex-M toolchain and QEMU are not installed "
                                       f"(apt-get install {cortexm.PACKAGES})")

MLPERF = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]


def _model(name: str):
    path = models_dir() / "mlperf_tiny" / f"{name}.tflite"
    if not path.exists():
        pytest.skip(f"shared model mlperf_tiny/{name}.tflite not found under {models_dir()} (set TINYCC_MODELS)")
    return path


@pytest.mark.parametrize("backend", ["c", "cmsis-nn"])
@pytest.mark.parametrize("name", MLPERF)
def test_mlperf_int8_on_qemu_cortex_m55_equals_tflm(name, backend, tmp_path):
    from tinycc.driver import compile_model
    from tinycc.plugins.importers.tflite import load_tflite
    path = _model(name)
    options = {"cmsis_nn_kernels": "mve"} if backend == "cmsis-nn" else {}
    report = compile_model(str(path), backend, tmp_path / "out", options=options)
    text = (tmp_path / "out" / "model.c").read_text()
    assert "tinycc_mve_dot_s8" in text if backend == "c" else "arm_nnfunctions.h" in text
    built = cortexm.build(tmp_path / "out", "cortex-m55")
    g = load_tflite(path)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    outs, insns = cortexm.run(built["elf"], "cortex-m55", xs, layout, count=True)
    assert_outputs_equal_tflm(path.read_bytes(), xs, outs)
    assert insns > 0 and built["flash_bytes"] > 0
    if backend == "cmsis-nn":
        assert report["cmsis_nn_kernels"] == "mve"
    if (name, backend) == ("ad01_int8", "c"):
        # fully connected only: the Helium blocks (mve_fc.h, about 11 instructions per 64 MACs) keep it under
        # one instruction per 3 MACs; the Cortex-M4's DSP rows (23 per 16) took it to 1.5 a MAC (404,606)
        assert insns < report["macs"] // 3, f"{insns} instructions for {report['macs']} MACs: not mve_fc.h"


N = 48          # lengths 0..N-1, from byte 1 of each row (unaligned starts)

DOT_HARNESS = r"""
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "model.h"
@KERNELS@
const size_t model_input_bytes[1] = {4 * (@N@ + 1)};
const size_t model_output_bytes[1] = {4 * 8 * @N@};
int model_invoke(const void *const inputs[], void *const outputs[]) {
    const int8_t *r = (const int8_t *)inputs[0];
    const int8_t *f0 = r + 1, *f1 = r + (@N@ + 1) + 1, *x0 = r + 2 * (@N@ + 1) + 1, *x1 = r + 3 * (@N@ + 1) + 1;
    int32_t *o = (int32_t *)outputs[0];
    int n;
#ifndef TINYCC_MVE
    return 9;          /* not the MVE path: the test is void */
#endif
    for (n = 0; n < @N@; ++n, o += 8) {
        o[0] = tinycc_dot_s8(f0, x0, n, 7);
        o[1] = tinycc_sum_s8(f1, n, -3);
        o[2] = 1; o[3] = 2; o[4] = 3; o[5] = 4;
        tinycc_dot_s8_2x2(f0, f1, x0, x1, n, o + 2);
        o[6] = -5; o[7] = 6;
        tinycc_dot_s8_1x2(f0, f1, x1, n, o + 6);
    }
    return 0;
}
"""


def test_mve_dot_products_every_length_and_alignment_on_qemu_cortex_m55(tmp_path):
    """tinycc_dot_s8, _sum_s8, _2x2 and _1x2 on the MVE path for lengths 0..47 (none, partial vectors
    only, whole vectors, whole plus a tail) from odd addresses, with extreme and random bytes: equal to
    the exact integer sums."""
    from tinycc.backends.c.kernel_units import read_unit
    kernels = "\n".join(read_unit(u) for u in ("tinycc_fixedpoint.h", "dot_s8.h"))
    (tmp_path / "model.h").write_text(
        "#include <stddef.h>\n#define MODEL_NUM_INPUTS 1\n#define MODEL_NUM_OUTPUTS 1\n"
        f'/* input 0: "r" int8 [4, {N + 1}], {4 * (N + 1)} bytes */\n'
        f'/* output 0: "y" int32 [{N}, 8], {4 * 8 * N} bytes */\n'
        "extern const size_t model_input_bytes[1];\nextern const size_t model_output_bytes[1];\n"
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n")
    (tmp_path / "model.c").write_text(DOT_HARNESS.replace("@KERNELS@", kernels).replace("@N@", str(N)))
    built = cortexm.build(tmp_path, "cortex-m55")
    rng = np.random.default_rng(3)
    samples = [np.full((4, N + 1), -128, np.int8), np.full((4, N + 1), 127, np.int8),
               rng.integers(-128, 128, (4, N + 1)).astype(np.int8)]
    samples[1][2:] = -128                                  # 127 * -128 products
    outs = cortexm.run(built["elf"], "cortex-m55", [[s] for s in samples], [((N, 8), "int32")])
    for s, (got,) in zip(samples, outs):
        f0, f1, x0, x1 = (s[i, 1:].astype(np.int64) for i in range(4))
        want = np.array([[7 + f0[:n] @ x0[:n], -3 + f1[:n].sum(),
                          1 + f0[:n] @ x0[:n], 2 + f1[:n] @ x0[:n], 3 + f0[:n] @ x1[:n], 4 + f1[:n] @ x1[:n],
                          -5 + f0[:n] @ x1[:n], 6 + f1[:n] @ x1[:n]] for n in range(N)])
        np.testing.assert_array_equal(np.asarray(got).reshape(N, 8), want)


def test_cmsis_nn_scratch_sizes_per_build():
    """CMSIS-NN's *_get_buffer_size per build (its Source/*/arm_*_get_buffer_sizes_s8.c): an im2col
    convolution, a 3x3 depthwise (DSP: none, its 3x3 kernel; MVE: 4 windows of 124 channels) and an
    average pool (DSP: an int32 per channel; MVE: none); `any` is the larger."""
    from types import SimpleNamespace as NS

    from tinycc.backends.cmsis_nn.ops import average_pool_2d, conv_2d, depthwise_conv_2d

    def t(shape):
        return NS(shape=shape, int4=False, dtype="int8", data=None)   # an int8 tensor (not int4 weights)
    g = NS(tensors={"x": t((1, 8, 8, 13)), "w": t((16, 3, 3, 13)), "dw": t((1, 3, 3, 13)), "y": t((1, 8, 8, 13))})
    conv = NS(inputs=["x", "w"], outputs=["y"], attrs={"dilations": (1, 1)})
    dw = NS(inputs=["x", "dw"], outputs=["y"], attrs={"dilations": (1, 1)})
    col = 3 * 3 * 13                                     # 117 taps
    assert conv_2d.scratch_bytes(conv, g, "dsp") == 2 * 120 * 2
    assert conv_2d.scratch_bytes(conv, g, "mve") == 4 * 120 == 4 * ((col + 7) // 8 * 8)
    assert depthwise_conv_2d.scratch_bytes(dw, g, "mve") == 4 * 124 * 9
    assert depthwise_conv_2d.scratch_bytes(dw, g, "dsp") == 2 * 13 * 9
    assert average_pool_2d.scratch_bytes(dw, g, "dsp") == 4 * 13 and average_pool_2d.scratch_bytes(dw, g, "mve") == 0


def test_cmsis_nn_kernels_follow_option_then_board():
    from tinycc.backends.cmsis_nn.plugin import kernels_for
    assert kernels_for({}) == "any" and kernels_for(None) == "any"
    assert kernels_for({"cmsis_nn_kernels": "mve", "target": "stm32f446"}) == "mve"
    assert kernels_for({"target": "stm32f446"}) == "dsp"

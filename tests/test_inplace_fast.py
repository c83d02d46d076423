"""In-place convolutions on the fast int8 kernels (issue #9): the `c` backend's in-place variants
(kernels/inplace.h drives the row ring; each row is computed by the out-of-place kernels' own
fast row routine, folded bias and dot_s8 helpers) equal TF Lite Micro byte for byte, on the host
(portable C) and on an emulated Cortex-M4 (SXTB16/SMLAD branch).

Each case is one fast-kernel shape (tests/ops/test_fast_kernels.py) put between two copies so
that its input and output are arena intermediates the planner overlaps: odd channel counts,
borders under padding, strides, 1x1 convolutions (channel-expanding ones bottom-up), plus the
reference in-place rows (depth multiplier 2, dilation 2).
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.c_build import build, run_exe, write_sources
from tests.ops.check import assert_qemu_m4_equals_tflm, random_inputs
from tests.ops.test_fast_kernels import _out_scale, _quant_w, conv_case, dw_case
from tests.test_inplace import check_no_overlap, sandwiched
from tests.tflite_builder import act, q, single_op
from tests.tflm import run_tflm
from tinycc.backends.c.ops import depthwise_conv_2d
from tinycc.core.passes import memory


@pytest.fixture(autouse=True)
def _no_tsmall(monkeypatch):
    """The depthwise cases test the fast kernel's in-place forms: tinycc_dw_s8_tsmall would take their planes."""
    monkeypatch.setattr(depthwise_conv_2d, "_tsmall_pays", lambda *a: False)


def dilated_conv_case(seed):
    rng = np.random.default_rng(seed)
    x = act("x", (1, 9, 8, 6), "int8", q(0.02, int(rng.integers(-128, 128))))
    wt, b, w_mean = _quant_w(rng, (5, 3, 3, 6), 0, True, 0.02)
    y = act("y", (), "int8", q(_out_scale(0.02, w_mean, 54), 3))
    return single_op("conv_2d", [x, wt, b], y, {"strides": (1, 1), "dilations": (2, 2), "activation": "relu",
                                                "pads": (2, 2, 2, 2)})


# name: (model builder, fast kernel expected)
CASES = {
    "conv-1x1-odd-pixels-odd-channels": (lambda: conv_case(7, h=5, w=5, cin=13, cout=7, kernel=(1, 1)), True),
    "conv-1x1-expanding-odd": (lambda: conv_case(8, h=5, w=3, cin=5, cout=11, kernel=(1, 1), in_zp=-128), True),
    "conv-1x1-c64": (lambda: conv_case(9, h=5, w=5, cin=64, cout=64, kernel=(1, 1), act_fn="relu6"), True),
    "conv-1x1-stride2": (lambda: conv_case(10, h=7, w=6, cin=8, cout=6, kernel=(1, 1), strides=(2, 2)), True),
    "conv-3x3-same": (lambda: conv_case(11, h=7, w=6, cin=5, cout=5, kernel=(3, 3), same=True, act_fn="relu"), True),
    "conv-3x3-same-stride2": (lambda: conv_case(12, h=9, w=8, cin=5, cout=7, kernel=(3, 3), strides=(2, 2),
                                                same=True), True),
    "conv-10x4-kws-like": (lambda: conv_case(13, h=20, w=10, cin=3, cout=5, kernel=(10, 4), strides=(2, 2),
                                             same=True, in_zp=83), True),
    "conv-2x3-asym-stride": (lambda: conv_case(14, h=8, w=9, cin=7, cout=5, kernel=(2, 3), strides=(1, 2),
                                               same=True), True),
    "conv-3x3-valid-no-bias": (lambda: conv_case(15, h=8, w=7, cin=4, cout=3, kernel=(3, 3), bias=False), True),
    "dw-3x3-same-c8": (lambda: dw_case(16, h=6, w=5, cin=8, kernel=(3, 3), in_zp=-128, act_fn="relu6"), True),
    "dw-3x3-same-odd-channels": (lambda: dw_case(17, h=7, w=7, cin=7, kernel=(3, 3)), True),
    "dw-3x3-stride2-same": (lambda: dw_case(18, h=9, w=8, cin=6, kernel=(3, 3), strides=(2, 2), in_zp=127), True),
    "dw-3x3-valid-per-tensor": (lambda: dw_case(19, h=6, w=6, cin=5, kernel=(3, 3), same=False,
                                                per_channel=False), True),
    "dw-3x3-rows-c8": (lambda: dw_case(23, h=7, w=5, cin=8, kernel=(3, 3)), True),       # tinycc_dw_s8_rows
    "dw-3x3-rows-stride2-relu6": (lambda: dw_case(24, h=9, w=8, cin=4, kernel=(3, 3), strides=(2, 2),
                                                  act_fn="relu6"), True),
    "dw-5x2-same": (lambda: dw_case(20, h=7, w=6, cin=3, kernel=(5, 2), act_fn="relu"), True),
    "dw-3x3-mult2-reference": (lambda: dw_case(21, h=6, w=5, cin=3, kernel=(3, 3), mult=2), False),
    "conv-dilated-reference": (lambda: dilated_conv_case(22), False),
}


def _in_place(name, tmp_path):
    make, fast = CASES[name]
    model = make()
    g = sandwiched(model)
    p = memory.plan(g, inplace=True)
    c = p.inplace.get(g.nodes[1].name)
    assert c is not None and c.kind == "rows", f"{name}: not planned in place ({p.arena_bytes} bytes)"
    check_no_overlap(g, p)
    write_sources(g, tmp_path)
    src = (tmp_path / "model.c").read_text()
    kernel = "tinycc_depthwise_conv_2d_s8" if g.nodes[1].op == "depthwise_conv_2d" else "tinycc_conv_2d_s8"
    assert f"{kernel}{'_fast' if fast else ''}_inplace(&" in src
    return model, g


@pytest.mark.parametrize("name", list(CASES))
def test_in_place_fast_kernel_on_host_equals_tflm(name, tmp_path):
    model, g = _in_place(name, tmp_path)
    rng = np.random.default_rng(5)
    samples = [random_inputs(g, rng) for _ in range(3)]
    outs = run_exe(build(g, tmp_path), g, samples)
    for xs, o in zip(samples, outs):
        e = run_tflm(model, xs)[0]
        np.testing.assert_array_equal(o[0].reshape(e.shape), e, err_msg=name)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_in_place_fast_kernel_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model, g = _in_place(name, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)

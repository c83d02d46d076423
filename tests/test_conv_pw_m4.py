"""The im2col convolution's Cortex-M4 assembly loops (backends/c/kernels/optimised/conv_2d_cols_thumb2.h)
against TF Lite Micro, byte for byte: 1x1 stride-1 layers (one matrix product, three pixels and two
channels a block, a last pair of pixels) and a 3x3 layer (rows of im2col columns), with output zero
point -128 (the rounding's x >> 31 term compiled out: TINYCC_COLS_SIGN 0) and other zero points (kept in).
A right shift of 1 makes every odd negative x a rounding tie, so a kernel that dropped the term where it
matters fails; weights and inputs span int8's extremes. Host (ASan + UBSan) and QEMU runs."""
from __future__ import annotations

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.fast_paths import assert_qemu_m4_fast_path, needs_qemu, write_model_c
from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm
from tests.test_inplace import check_no_overlap, sandwiched
from tests.tflite_builder import act, const, q, single_op
from tinycc.core.passes import memory

IN_SCALE = 0.02


def conv(seed: int, h: int, w: int, cin: int, cout: int, kernel=(1, 1), out_zp: int = -128, in_zp: int = -128,
         wmax: int = 127, eff: float | None = None, same: bool = False) -> bytes:
    """One int8 conv_2d, per-channel weights in [-wmax, wmax] (both ends present), no activation. `eff`: the
    requantisation scale (IN_SCALE w_scale / out_scale) about which the channels' scales sit (0.3..0.45:
    a right shift of 1); else one that keeps outputs mostly inside int8."""
    rng = np.random.default_rng(seed)
    wq = rng.integers(-wmax, wmax + 1, (cout, *kernel, cin)).astype(np.int8)
    wq.reshape(cout, -1)[:, :2] = [-wmax, wmax]
    w_scales = rng.uniform(0.010, 0.015, cout).astype(np.float32)
    taps = kernel[0] * kernel[1] * cin
    out_scale = (IN_SCALE * 0.0125 / eff if eff is not None
                 else IN_SCALE * 0.0125 * wmax * 8 * np.sqrt(taps) / 4)
    bias = rng.integers(-50 if eff else -20000, 50 if eff else 20000, cout).astype(np.int32)
    x = act("x", (1, h, w, cin), "int8", q(IN_SCALE, in_zp))
    wt = const("w", wq, q(w_scales, np.zeros(cout), 0))
    b = const("b", bias, q((w_scales * np.float32(IN_SCALE)).astype(np.float32), np.zeros(cout)))
    y = act("y", (), "int8", q(float(np.float32(out_scale)), out_zp))
    pads = (1, 1, 1, 1) if same else (0, 0, 0, 0)
    return single_op("conv_2d", [x, wt, b], y, {"strides": (1, 1), "dilations": (1, 1), "activation": "none",
                                                 "pads": pads})


# name: (conv arguments, whether the x >> 31 term is compiled in)
CASES = {
    "1x1-c8-zp-128-ties": (dict(h=5, w=7, cin=8, cout=16, wmax=1, eff=0.37), 0),
    "1x1-c8-zp5-ties": (dict(h=5, w=7, cin=8, cout=16, wmax=1, eff=0.37, out_zp=5), 1),
    "1x1-c16-zp-128-in127": (dict(h=4, w=5, cin=16, cout=10, in_zp=127), 0),
    "1x1-c36-zp-128": (dict(h=2, w=5, cin=36, cout=18, wmax=127), 0),
    "1x1-c12-zp-9-ties": (dict(h=3, w=3, cin=12, cout=6, wmax=1, eff=0.4, out_zp=-9, in_zp=0), 1),
    "3x3-same-zp-128-ties": (dict(h=6, w=6, cin=4, cout=6, kernel=(3, 3), same=True, wmax=1, eff=0.3), 0),
    "3x3-same-zp7-ties": (dict(h=5, w=6, cin=8, cout=4, kernel=(3, 3), same=True, wmax=1, eff=0.4, out_zp=7), 1),
}


@pytest.mark.parametrize("name", list(CASES))
def test_cols_layer_on_host_equals_tflm(name, tmp_path):
    kw, sign = CASES[name]
    model = conv(11, **kw)
    src = write_model_c(model, tmp_path)[1]
    assert "tinycc_conv_2d_s8_cols" in src and f"#define TINYCC_COLS_SIGN {sign}\n" in src
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)


@needs_qemu
@pytest.mark.parametrize("name", list(CASES))
def test_cols_layer_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    kw, _ = CASES[name]
    assert_qemu_m4_fast_path(conv(11, **kw), tmp_path, "tinycc_conv_2d_s8_cols", 3)


# 1x1 layers between two copies, planned in place over their input (tinycc_conv_2d_s8_fast_inplace): channel
# expanding ones run their blocks from the last pixel back, the others forward; pixel counts leave 0, 1 and 2
# pixels after the blocks of three
IN_PLACE = {
    "expanding-c8-25px-backward": dict(h=5, w=5, cin=8, cout=20, in_zp=5),
    "contracting-c16-16px-forward": dict(h=4, w=4, cin=16, cout=8, wmax=1, eff=0.35),
    "same-c12-15px-forward": dict(h=3, w=5, cin=12, cout=12, out_zp=7),
    "expanding-c4-14px-backward-ties": dict(h=2, w=7, cin=4, cout=6, wmax=1, eff=0.3, out_zp=-3),
}


@needs_qemu
@pytest.mark.parametrize("name", list(IN_PLACE))
def test_pointwise_in_place_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model = conv(13, **IN_PLACE[name])
    g = sandwiched(model)
    p = memory.plan(g, inplace=True)
    assert p.inplace.get(g.nodes[1].name) is not None, "not planned in place"
    check_no_overlap(g, p)
    write_sources(g, tmp_path)
    assert "tinycc_conv_2d_s8_fast_inplace(&" in (tmp_path / "model.c").read_text()
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 3)

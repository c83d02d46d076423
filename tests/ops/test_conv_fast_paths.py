"""The `c` backend's im2col int8 CONV_2D kernel (backends/c/kernels/conv_2d.h, tinycc_conv_2d_s8_cols*:
each pixel's patch widened to int16 once into a stack column, two pixels (three in the Cortex-M4
assembly loop) by two output channels a pass on a compile-time packed filter) against TF Lite Micro,
byte for byte, on the host (portable C) and under QEMU Cortex-M4 (SXTB16/SMLAD branch), out of place
and in place (row ring).

The shapes hit the edges of the blocking: odd output channel counts (the lone last channel), odd
pixel counts per row and per tensor (the lone last pixel), input channels that are not a multiple of
4 (patches whose 4-tap groups straddle rows, zero-padded to k4), borders under padding and strides,
kernels wider than the input, per-tensor and per-channel quantisation, input zero points at both
extremes, activations; 1x1 convolutions in place straight over their input (forward when they
shrink or keep the channel count, backward when they expand); and the limits of the path (k4 = 576, the largest
column, and just over it,
rows of kw*ci over the patch buffer), where the emitter falls back to the older kernels. Also: interior
pixels whose patch rows straddle 4-tap groups (rows of 3, 6, 9, 10 and 14 bytes copied whole; 3 rows of
9 bytes assembled in registers on the Cortex-M4), the
assembly output loop (no clipping activation) and the C one (relu, relu6), channels whose filter is all
zeros (a constant output), a channel with no right shift (outside the kernel's table: older kernels),
and the layout of the kernel's words (the packed filter with each channel pair's requantisation words).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe, write_sources
from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tests.ops.test_fast_kernels import conv_case
from tests.test_inplace import sandwiched
from tests.tflm import run_tflm
from tinycc.backends.c.ops.conv_2d import cols_words, packed_filter, packed_words
from tinycc.core.passes import memory

needs_qemu = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="the Cortex-M toolchain and QEMU are not installed")

# name: (conv_case arguments, im2col kernel expected)
CASES = {
    "1x1-c8-to-16-even": (dict(h=4, w=6, cin=8, cout=16, kernel=(1, 1), in_zp=-128, act_fn="relu"), True),
    "1x1-odd-pixels-odd-cout": (dict(h=3, w=3, cin=12, cout=9, kernel=(1, 1), in_zp=127), True),
    "1x1-cin-not-mult4": (dict(h=3, w=5, cin=6, cout=5, kernel=(1, 1)), True),
    "1x1-cout1-single-pixel": (dict(h=1, w=1, cin=20, cout=1, kernel=(1, 1), per_channel=False), True),
    "1x1-c16-same-odd-pixels": (dict(h=3, w=5, cin=16, cout=16, kernel=(1, 1), in_zp=-77), True),
    "1x1-expand-c8-to-20-odd": (dict(h=5, w=3, cin=8, cout=20, kernel=(1, 1), act_fn="relu6"), True),
    "1x1-shrink-c24-to-7-odd": (dict(h=3, w=3, cin=24, cout=7, kernel=(1, 1), per_channel=False), True),
    "1x1-stride2-odd": (dict(h=7, w=5, cin=16, cout=3, kernel=(1, 1), strides=(2, 2)), True),
    "3x3-same-c3-ic-first": (dict(h=6, w=7, cin=3, cout=16, kernel=(3, 3), same=True, act_fn="relu"), True),
    "3x3-same-c16-per-tensor": (dict(h=5, w=5, cin=16, cout=6, kernel=(3, 3), same=True, per_channel=False,
                                     in_zp=-128), True),
    "3x3-stride2-valid-c32": (dict(h=7, w=7, cin=32, cout=10, kernel=(3, 3), strides=(2, 2)), True),
    "3x3-same-c64-k576": (dict(h=4, w=3, cin=64, cout=5, kernel=(3, 3), same=True, in_zp=127), True),
    "3x3-same-c68-over-limit": (dict(h=3, w=3, cin=68, cout=3, kernel=(3, 3), same=True), False),
    "1x3-row-over-patch": (dict(h=3, w=4, cin=88, cout=3, kernel=(1, 3), same=True), False),
    "10x4-kws-first": (dict(h=49, w=10, cin=1, cout=8, kernel=(10, 4), strides=(2, 2), same=True, in_zp=83,
                            act_fn="relu"), True),
    "3x3-vww-first-odd-width": (dict(h=11, w=9, cin=3, cout=8, kernel=(3, 3), strides=(2, 2), act_fn="relu6"), True),
    "5x5-wider-than-input": (dict(h=2, w=3, cin=4, cout=3, kernel=(5, 5), same=True, bias=False), True),
    "2x3-asym-stride-odd": (dict(h=6, w=7, cin=5, cout=7, kernel=(2, 3), strides=(1, 2), same=True), True),
    # interior pixels whose patch rows straddle groups copy whole rows of L = kw*ci bytes: L < 4 (bytes),
    # 4 < L <= 8 (two words), 8 < L <= 12 (three), L > 12 (a loop); with and without borders, clipping
    # activations (C output loop) and none (the Cortex-M4 assembly output loop), odd channel counts
    "1x3-L3-ci1-valid": (dict(h=4, w=9, cin=1, cout=5, kernel=(1, 3)), True),
    "3x3-L6-same-none": (dict(h=5, w=8, cin=2, cout=4, kernel=(3, 3), same=True, in_zp=-128), True),
    "2x2-L10-stride2-relu6": (dict(h=7, w=9, cin=5, cout=3, kernel=(2, 2), strides=(2, 2), act_fn="relu6"), True),
    "3x2-L14-valid-odd-cout": (dict(h=6, w=6, cin=7, cout=9, kernel=(3, 2), in_zp=100), True),
    "3x3-L9-s2-same-none-c8": (dict(h=10, w=10, cin=3, cout=8, kernel=(3, 3), strides=(2, 2), same=True), True),
    # kh = 3 rows of L = 9 bytes (tinycc_cols_row9 on the Cortex-M4: groups assembled in registers): RGB
    # 3x3 valid (the last pixel's rows end at the tensor's last byte), 3x1 on 9 channels, 3x9 on 1,
    # extreme zero points, clipping and not
    "3x3-L9-valid-odd-relu": (dict(h=7, w=9, cin=3, cout=7, kernel=(3, 3), in_zp=-128, act_fn="relu"), True),
    "3x3-L9-valid-none-zp127": (dict(h=5, w=8, cin=3, cout=6, kernel=(3, 3), in_zp=127), True),
    "3x1-L9-ci9-same": (dict(h=6, w=5, cin=9, cout=5, kernel=(3, 1), same=True), True),
    "3x9-L9-ci1-valid": (dict(h=5, w=12, cin=1, cout=4, kernel=(3, 9), in_zp=-3), True),
    # the Cortex-M4 assembly loops' group counts (no clipping; three pixels a pass when co is even, pairs
    # when it is odd): 1 (the peeled first group only, the entry past the 8-group loop), 17 (the loop
    # entered at its top, two passes) and 18 (entered 7 groups early)
    "1x1-c4-g1-none": (dict(h=3, w=4, cin=4, cout=6, kernel=(1, 1), in_zp=-128), True),
    "1x1-c4-g1-pairs": (dict(h=1, w=5, cin=4, cout=5, kernel=(1, 1), in_zp=-128), True),
    "1x1-c68-g17-none": (dict(h=2, w=3, cin=68, cout=4, kernel=(1, 1), in_zp=5), True),
    "1x1-c68-g17-pairs": (dict(h=2, w=2, cin=68, cout=3, kernel=(1, 1), in_zp=5), True),
    "1x2-c36-g18-none": (dict(h=2, w=5, cin=36, cout=5, kernel=(1, 2), in_zp=-9), True),
    # three pixels a pass (Cortex-M4 assembly, no clipping, even co): rows of 8 (two triples, a pair; border
    # pixels in the third slot), 10 at the columns' limit (g = 72: two triples, two pairs), g = 81 just over
    # it (pairs only); 1x1 over 7 pixels (two triples, one pixel)
    "3x3-same-c16-w8-none": (dict(h=4, w=8, cin=16, cout=6, kernel=(3, 3), same=True, in_zp=-128), True),
    "3x3-same-c32-g72-w10": (dict(h=3, w=10, cin=32, cout=4, kernel=(3, 3), same=True, in_zp=77), True),
    "3x3-valid-c36-g81-w8": (dict(h=3, w=8, cin=36, cout=4, kernel=(3, 3), in_zp=3), True),
    "1x1-c8-none-7px": (dict(h=1, w=7, cin=8, cout=10, kernel=(1, 1), in_zp=-1), True),
}



@pytest.fixture(autouse=True)
def _cols_kernels(monkeypatch):
    """These cases aim at the im2col kernels and assert which nodes take them: the shallow-input
    variant (3x3 over 3 channels, tried first; its own cases are tests/test_conv_shallow.py) is
    left out of the table here, so the 3-channel cases keep reaching the im2col path."""
    from tinycc.backends.c.ops import conv_2d as emitter
    monkeypatch.setattr(emitter, "VARIANTS", tuple(v for v in emitter.VARIANTS if v.name != "shallow"))


def _model(name):
    return conv_case(31, **CASES[name][0])


def _special_model(kind):
    """conv_case-like models built by hand: "zero-channels" (channels 1 and 4 of 5 all-zero filters: the
    constant TFLM gives for their bias), "shift0" (one channel's multiplier needs no right shift: the
    im2col kernel's table wants e >= 1, so the older kernels run)."""
    from tests.tflite_builder import act, const, q, single_op
    rng = np.random.default_rng(12)
    co, ci, in_scale = 5, 3, 0.02
    w = rng.integers(-127, 128, (co, 3, 3, ci)).astype(np.int8)
    w_scales = rng.uniform(1e-3, 0.03, co).astype(np.float32)
    if kind == "zero-channels":
        w[1] = 0
        w[4] = 0
        out_scale = float(np.float32(in_scale * w_scales.mean() * 127 * 8 * np.sqrt(27) / 4))
    else:
        out_scale = float(np.float32(in_scale * w_scales.max() / 0.8))
    x = act("x", (1, 6, 7, ci), "int8", q(in_scale, -5))
    wt = const("w", w, q(w_scales, np.zeros(co), 0))
    b = const("b", rng.integers(-20000, 20000, co).astype(np.int32),
              q((w_scales * np.float32(in_scale)).astype(np.float32), np.zeros(co)))
    y = act("y", (), "int8", q(out_scale, 7))
    attrs = {"strides": (1, 1), "dilations": (1, 1), "activation": "none", "pads": (1, 1, 1, 1)}
    return single_op("conv_2d", [x, wt, b], y, attrs)


@pytest.mark.parametrize("kind,cols", [("zero-channels", True), ("shift0", False)])
def test_cols_special_channels_equal_tflm(kind, cols, tmp_path):
    model = _special_model(kind)
    write_sources_for(model, tmp_path)
    assert ("tinycc_conv_2d_s8_cols(&" in (tmp_path / "model.c").read_text()) == cols
    assert_matches_tflm(model, samples=3, seed=5, c=True)


@needs_qemu
@pytest.mark.parametrize("kind", ["zero-channels", "shift0"])
def test_cols_special_channels_on_qemu_cortex_m4_equal_tflm(kind, tmp_path):
    model = _special_model(kind)
    g = write_sources_for(model, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 3)


def test_cols_words_layout():
    """cols_words: the layer's 2 zp + 1 and key, then per pair kb0, kb1, the pair's filter, W0, W1 (one word of
    requantisation a channel); an odd last channel kb, its g words, W."""
    w = np.arange(3 * 1 * 1 * 6, dtype=np.int64).reshape(3, 1, 1, 6).astype(np.int8)
    table = np.arange(100, 106, dtype=np.int32).reshape(3, 2)     # kb, W per channel
    words = cols_words(table, 7, 3, w).tolist()
    packed = packed_words(w).tolist()                              # g = 2 words per channel
    assert words == [7, 3, 100, 102, *packed[0:4], 101, 103, 104, *packed[4:6], 105]
    table = np.arange(100, 110, dtype=np.int32).reshape(5, 2)
    w5 = np.zeros((5, 1, 1, 4), np.int8)
    words = cols_words(table, -3, 0, w5).tolist()                  # g = 1: pairs of 2 + 2 + 2 words
    assert len(words) == 2 + 2 * 6 + 3 and words[-3:] == [108, 0, 109]
    assert words[:8] == [-3, 0, 100, 102, 0, 0, 101, 103]


def test_packed_filter_layout():
    w = np.arange(3 * 1 * 1 * 6, dtype=np.int64).reshape(3, 1, 1, 6).astype(np.int8)
    p = packed_filter(w)
    # channels 0 and 1 interleaved by 4-tap groups, each padded to k4 = 8; channel 2 alone
    assert p.tolist() == [0, 1, 2, 3, 6, 7, 8, 9, 4, 5, 0, 0, 10, 11, 0, 0, 12, 13, 14, 15, 16, 17, 0, 0]


@pytest.mark.parametrize("name", list(CASES))
def test_cols_kernel_selection(name, tmp_path):
    g = write_sources_for(_model(name), tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert ("tinycc_conv_2d_s8_cols(&" in src) == CASES[name][1], name
    del g


def write_sources_for(model, tmp_path):
    from tinycc.plugins.importers.tflite import load_tflite
    g = load_tflite(Path("test.tflite"), model)
    write_sources(g, tmp_path)
    return g


@pytest.mark.parametrize("name", list(CASES))
def test_cols_on_host_equals_tflm(name):
    assert_matches_tflm(_model(name), samples=3, seed=4, c=True)


@needs_qemu
@pytest.mark.parametrize("name", list(CASES))
def test_cols_dsp_branch_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model = _model(name)
    g = write_sources_for(model, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 3)


INPLACE = [n for n in CASES if CASES[n][1] and n not in ("1x1-cout1-single-pixel",)]


def _in_place(name, tmp_path):
    model = _model(name)
    g = sandwiched(model)
    p = memory.plan(g, inplace=True)
    c = p.inplace.get(g.nodes[1].name)
    if c is None or c.kind != "rows":
        pytest.skip(f"{name}: not planned in place")
    write_sources(g, tmp_path)
    assert "tinycc_conv_2d_s8_fast_inplace(&" in (tmp_path / "model.c").read_text()
    return model, g


@pytest.mark.parametrize("name", INPLACE)
def test_cols_in_place_on_host_equals_tflm(name, tmp_path):
    model, g = _in_place(name, tmp_path)
    rng = np.random.default_rng(6)
    samples = [random_inputs(g, rng) for _ in range(3)]
    outs = run_exe(build(g, tmp_path), g, samples)
    for xs, o in zip(samples, outs):
        e = run_tflm(model, xs)[0]
        np.testing.assert_array_equal(o[0].reshape(e.shape), e, err_msg=name)


@needs_qemu
@pytest.mark.parametrize("name", INPLACE)
def test_cols_in_place_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model, g = _in_place(name, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][1]])
def test_cols_clean_under_asan_ubsan(name, tmp_path):
    from tests.test_sanitizers import build as san_build
    from tests.test_sanitizers import run_clean
    model = _model(name)
    g = write_sources_for(model, tmp_path)
    rng = np.random.default_rng(8)
    samples = [random_inputs(g, rng) for _ in range(2)]
    outs = run_clean(san_build(tmp_path), g, samples)
    for xs, o in zip(samples, outs):
        e = run_tflm(model, xs)[0]
        np.testing.assert_array_equal(o[0].reshape(e.shape), e, err_msg=name)


def _batch2_odd_width():
    """A 3x3 same convolution over two images whose output rows are 5 pixels wide: the im2col kernel
    pairs pixels across rows and across the two images (tinycc_conv_2d_s8_cols_flat)."""
    from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w
    from tests.tflite_builder import act, q, single_op
    rng = np.random.default_rng(7)
    x = act("x", (2, 4, 5, 8), "int8", q(0.02, -9))
    wt, b, w_mean = _quant_w(rng, (6, 3, 3, 8), 0, True, 0.02, True)
    y = act("y", (), "int8", q(_out_scale(0.02, w_mean, 72), 5))
    attrs = {"strides": (1, 1), "dilations": (1, 1), "activation": "none", "pads": _pads((4, 5), (3, 3), (1, 1), True)}
    return single_op("conv_2d", [x, wt, b], y, attrs)


def test_cols_batch2_odd_width_on_host_equals_tflm(tmp_path):
    model = _batch2_odd_width()
    write_sources_for(model, tmp_path)
    assert "tinycc_conv_2d_s8_cols(&" in (tmp_path / "model.c").read_text()
    assert_matches_tflm(model, samples=2, seed=5, c=True)


@needs_qemu
def test_cols_batch2_odd_width_on_qemu_cortex_m4_equals_tflm(tmp_path):
    model = _batch2_odd_width()
    g = write_sources_for(model, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)

"""The pointwise assembly loop's pair loop (conv_2d_cols_thumb2.h's tinycc_cols_pw3_asm) against TF Lite Micro,
byte for byte: 16 groups a pass (TINYCC_COLS3_PW16: the emitter's when a 1x1 node has more than 16 four-tap
groups), two groups peeled a pair (TINYCC_COLS3_PW_G2 without _G1: a node of 2 groups, none of 1) and the
pairs after the blocks of three compiled out (TINYCC_COLS_PW_REST 0: every node's pixels whole blocks of three,
co even; a 9-pixel chain whose last co is odd keeps them). Chains
of 1x1 stride-1 layers whose group counts g meet the entries into the body: g = 1 (past the loop), 2 (with
one group peeled: entered 15 groups in; with two: past the loop), 3, 10, 18 (one whole pass after two
peeled), 32 and 33 (two and three passes), under both requantisation tails (output zero point -128
everywhere: TINYCC_COLS_SIGN 0; one other: 1), weights at int8's extremes, pixel counts that leave no pixel,
one and a pair after the blocks of three (each block's widening: an odd g's lone group, then two a pass).
Host (ASan + UBSan) and QEMU runs; a model whose nodes have at most 16 groups keeps 8 a pass. In-place chains
whose middle layer takes its weights widened to int16 in free arena bytes (tinycc_cols_pw3w_asm: g = 1, 2 with
two groups peeled, 3, 10, 16; forward and backward) and the gate that keeps int8 (KWS's case)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, needs_qemu, write_model_c
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

IN_SCALE = 0.02


def pointwise_chain(seed: int, h: int, w: int, channels: list[int], zps: list[int],
                    every_output: bool = True) -> bytes:
    """1x1 stride-1 int8 convolutions channels[0] -> channels[1] -> ..., layer i's output zero point zps[i],
    per-channel weights in [-127, 127] (both ends in every channel), no activation; every layer's output is a
    model output (else only the last's: the others arena intermediates, the layers planned in place)."""
    rng = np.random.default_rng(seed)
    tensors, nodes = {}, []
    x = act("x", (1, h, w, channels[0]), "int8", q(IN_SCALE, -128))
    tensors["x"], prev, scale = x, "x", IN_SCALE
    for i, (cin, cout) in enumerate(zip(channels, channels[1:])):
        wq = rng.integers(-127, 128, (cout, 1, 1, cin)).astype(np.int8)
        wq.reshape(cout, -1)[:, :2] = [-127, 127]
        w_scales = rng.uniform(0.001, 0.1, cout).astype(np.float32)
        out_scale = float(np.float32(scale * 0.0125 * 127 * 8 * np.sqrt(cin) / 4))
        bias = rng.integers(-20000, 20000, cout).astype(np.int32)
        wt = const(f"w{i}", wq, q(w_scales, np.zeros(cout), 0))
        b = const(f"b{i}", bias, q((w_scales * np.float32(scale)).astype(np.float32), np.zeros(cout)))
        out = act(f"y{i}", (1, h, w, cout), "int8", q(out_scale, zps[i]))
        tensors.update({wt.name: wt, b.name: b, out.name: out})
        nodes.append(Node(f"conv{i}", "conv_2d", [prev, wt.name, b.name], [out.name],
                          {"strides": (1, 1), "dilations": (1, 1), "activation": "none", "pads": (0, 0, 0, 0)}))
        prev, scale = out.name, out_scale
    # every layer's output a model output: checked against TFLM, and no layer planned in place over its input
    outputs = [n.outputs[0] for n in nodes] if every_output else [nodes[-1].outputs[0]]
    g = Graph("pointwise_chain", tensors, nodes, ["x"], outputs, source="<pointwise chain test>")
    return write_tflite(validate(g))


def emitted(src: str, name: str) -> int:
    """The value model.c's emitter gives a #define (its block comes first, before the kernels' defaults)."""
    found = re.search(rf"^#define {name} (-?\d+)$", src, re.M)
    assert found, name
    return int(found.group(1))


# name: (h, w, channels, output zero points, TINYCC_COLS_SIGN, 16 groups a pass, two groups peeled, pairs after
# the blocks of three compiled in)
CASES = {
    "g1-g32-g18-zp-128-15px": (3, 5, [4, 128, 72, 10], [-128, -128, -128], 0, 1, 0, 0),
    "g2-g33-zp5-14px": (2, 7, [8, 132, 6], [-128, 5], 1, 1, 1, 1),
    "g2-g3-g18-zp-128-16px": (4, 4, [8, 12, 72, 8], [-128, -128, -128], 0, 1, 1, 1),
    "g2-g10-zp-128-17px": (1, 17, [8, 40, 4], [-128, -128], 0, 0, 1, 1),
    "g2-g10-zp-128-odd-co-9px": (3, 3, [8, 40, 5], [-128, -128], 0, 0, 1, 1),
}


@pytest.mark.parametrize("name", list(CASES))
def test_pointwise_passes_on_host_equal_tflm(name, tmp_path):
    h, w, channels, zps, sign, pw16, head2, rest = CASES[name]
    model = pointwise_chain(1, h, w, channels, zps)
    src = write_model_c(model, tmp_path)[1]
    assert emitted(src, "TINYCC_COLS3_PW16") == pw16 and emitted(src, "TINYCC_COLS_SIGN") == sign
    assert (emitted(src, "TINYCC_COLS3_PW_G2") and not emitted(src, "TINYCC_COLS3_PW_G1")) == bool(head2)
    assert emitted(src, "TINYCC_COLS_PW_REST") == rest
    assert src.count("tinycc_conv_2d_s8_cols(&") == len(channels) - 1
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)


@needs_qemu
@pytest.mark.parametrize("name", list(CASES))
def test_pointwise_passes_on_qemu_cortex_m4_equal_tflm(name, tmp_path):
    h, w, channels, zps = CASES[name][:4]
    assert_qemu_m4_fast_path(pointwise_chain(1, h, w, channels, zps), tmp_path, "tinycc_conv_2d_s8_cols", 3)


def test_pointwise_of_16_groups_keeps_8_a_pass(tmp_path):
    src = write_model_c(pointwise_chain(1, 2, 3, [8, 64, 4], [-128, -128]), tmp_path)[1]
    assert emitted(src, "TINYCC_COLS3_PW16") == 0


# Weights pre-widened to int16 in arena bytes free while a node runs (conv_2d.py's pww_bytes, tinycc_cols_pw3w_asm):
# chains whose first and last layers read the model's input and write its output, the middle ones planned in
# place over an arena buffer sized for the widest layer; the last middle layer (pixels whole blocks of three, at
# least 48) gets the gap. name: (h, w, channels, output zero points, its group count g)
PWW = {
    "g1-backward-48px": (6, 8, [4, 96, 4, 12, 8], [-128, -128, -128, -128], 1),
    "g2-two-peeled-backward-zp5-54px": (6, 9, [8, 96, 8, 20, 8], [-128, -128, 5, -128], 2),
    "g3-backward-48px": (8, 6, [8, 160, 12, 30, 8], [-128, -128, -128, -128], 3),
    "g10-forward-51px": (3, 17, [8, 128, 40, 12, 8], [-128, -128, -128, -128], 10),
    "g16-forward-48px": (4, 12, [8, 160, 64, 10, 8], [-128, -128, -128, -128], 16),
}


def pww_calls(src: str) -> list[bool]:
    """Per in-place convolution call of model.c, whether it passes arena bytes for widened weights (its kbias)."""
    calls = re.findall(r"tinycc_conv_2d_s8_fast_inplace\(&[^;]*", src)
    return [bool(re.search(r"NULL, \(\(const int32_t \*\)\(arena\.bytes \+ \d+\)\), \(\(int8_t", c)) for c in calls]


@pytest.mark.parametrize("name", list(PWW))
def test_widened_weights_on_host_equal_tflm(name, tmp_path):
    h, w, channels, zps, _ = PWW[name]
    model = pointwise_chain(2, h, w, channels, zps, every_output=False)
    src = write_model_c(model, tmp_path)[1]
    assert pww_calls(src)[-1] and emitted(src, "TINYCC_COLS_PWW") == 1
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)


@needs_qemu
@pytest.mark.parametrize("name", list(PWW))
def test_widened_weights_on_qemu_cortex_m4_equal_tflm(name, tmp_path):
    h, w, channels, zps, groups = PWW[name]
    model = pointwise_chain(2, h, w, channels, zps, every_output=False)
    src = write_model_c(model, tmp_path)[1]
    assert pww_calls(src)[-1] and channels[-3] == 4 * groups
    assert_qemu_m4_fast_path(model, tmp_path, "tinycc_conv_2d_s8_fast_inplace(", 3)


# The four-pixel loop (conv_2d_cols_thumb2.h's tinycc_cols_pw4w_asm) over widened weights: the middle layer's pixels
# whole blocks of four (at least 32). name: (h, w, channels, output zero points, its group count g, the defines
# the model must get: TINYCC_COLS4_G1, _G2, _PW16, _PW32 and TINYCC_COLS_SIGN). g = 1 (past the loop), 2 (two
# peeled: past it), 3 (the block's widening: a lone group, then two a pass), 10 (one pass of 16, entered part
# way), 33 and 64 (32 groups a pass: one whole pass; two), 3 entering a pass of 32 (after a layer of 33),
# forward and backward; output zero points 5 and -3
# (TINYCC_COLS_SIGN 1: the requantisation tail that adds h = zp2 << s and the rounding term)
PW4 = {
    "g1-backward-32px": (4, 8, [4, 96, 4, 12, 8], [-128] * 4, 1, (1, 0, 0, 0, 0)),
    "g2-two-peeled-backward-32px": (8, 4, [8, 96, 8, 20, 8], [-128] * 4, 2, (0, 1, 0, 0, 0)),
    "g3-backward-36px": (6, 6, [8, 160, 12, 30, 8], [-128] * 4, 3, (0, 0, 0, 0, 0)),
    "g10-forward-36px": (6, 6, [8, 128, 40, 12, 8], [-128] * 4, 10, (0, 0, 0, 0, 0)),
    "g33-forward-32px": (4, 8, [8, 512, 132, 10, 8], [-128] * 4, 33, (0, 0, 1, 1, 0)),
    "g64-forward-32px": (2, 16, [8, 768, 256, 16, 8], [-128] * 4, 64, (0, 0, 1, 1, 0)),
    "g33-then-g3-backward-32px": (4, 8, [8, 512, 132, 12, 20, 8], [-128] * 5, 3, (0, 0, 1, 1, 0)),
    "g2-zp5-backward-48px": (6, 8, [8, 96, 8, 20, 8], [-128, -128, 5, -128], 2, (0, 1, 0, 0, 1)),
    "g10-zp-3-forward-36px": (6, 6, [8, 128, 40, 12, 8], [-128, -128, -3, -128], 10, (0, 0, 0, 0, 1)),
}


def _pw4_model(name):
    h, w, channels, zps, groups, defines = PW4[name]
    assert channels[-3] == 4 * groups
    return pointwise_chain(3, h, w, channels, zps, every_output=False), defines


@pytest.mark.parametrize("name", list(PW4))
def test_four_pixel_loop_on_host_equal_tflm(name, tmp_path):
    model, defines = _pw4_model(name)
    src = write_model_c(model, tmp_path)[1]
    assert pww_calls(src)[-1] and emitted(src, "TINYCC_COLS_PW4") == 1
    names = ("TINYCC_COLS4_G1", "TINYCC_COLS4_G2", "TINYCC_COLS4_PW16", "TINYCC_COLS4_PW32", "TINYCC_COLS_SIGN")
    assert tuple(emitted(src, n) for n in names) == defines
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)


@needs_qemu
@pytest.mark.parametrize("name", list(PW4))
def test_four_pixel_loop_on_qemu_cortex_m4_equal_tflm(name, tmp_path):
    model, _ = _pw4_model(name)
    assert_qemu_m4_fast_path(model, tmp_path, "tinycc_conv_2d_s8_fast_inplace(", 3)


@pytest.mark.parametrize("h,w", [(7, 7), (5, 9)])
def test_widened_weights_gate(h, w, tmp_path):
    """Pixels neither whole blocks of four nor of three (49: as KWS's 125), or blocks of three but fewer than 48 (45:
    the widening would not pay): int8."""
    src = write_model_c(pointwise_chain(2, h, w, [8, 96, 8, 20, 8], [-128] * 4, every_output=False), tmp_path)[1]
    assert not any(pww_calls(src)) and emitted(src, "TINYCC_COLS_PWW") == 0


@pytest.mark.parametrize("rel,layers", [("mlperf_tiny/kws_ref_model.tflite", 0),
                                        ("mlperf_tiny/vww_96_int8.tflite", 11)])
def test_widened_weights_in_the_mlperf_models(rel, layers, tmp_path):
    """KWS (125 pixels a layer) keeps every pointwise layer's int8 loop; VWW's layers 2-22 (48x48 .. 6x6: whole
    blocks of four) widen theirs into free arena bytes (the 128-channel layers' 33,792 bytes fill the arena above
    their tensor exactly, the ring planned for them included: the pointwise path runs without it), its 3x3 ones
    not (9 pixels, no room)."""
    from tests.c_build import write_sources
    from tests.tflm import models_dir
    from tinycc.plugins.importers.tflite import load_tflite
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    write_sources(load_tflite(path), tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert sum(pww_calls(src)) == layers and emitted(src, "TINYCC_COLS_PWW") == int(layers > 0)
    if layers:      # every one of them in the four-pixel loop: the three-pixel one over widened weights compiled out
        assert emitted(src, "TINYCC_COLS_PW4") == 1 and emitted(src, "TINYCC_COLS_PWW3") == 0

"""The `c` backend's int8 DEPTHWISE_CONV_2D fast paths (backends/c/kernels/depthwise_conv_2d.h)
against TF Lite Micro, byte for byte, on the host (portable C) and under QEMU Cortex-M4 (the
SXTB16/SMLABB branch, the 3x3 inline-assembly taps, the one-SMLAL requantisation, the packed
four-channel store with its SIMD clamp).

Each case is a single-op model aimed at one edge: channel counts that are not a multiple of the
4-channel word, 3x3 strides 1 and 2 under SAME and VALID padding (interior and border pixels), the
non-3x3 fast loop, stride 1 interior runs taken two pixels a pass (even and odd runs, at the
threshold TINYCC_DW_PAIR_MIN, channels not a multiple of 4 and past 128, beside strides 2), whole
rows through tinycc_dw_s8_wrow (rq 1, channels a multiple of 4, 8 to 62 output columns at stride
1: inputs of 1 to 3 rows, strides 2 with odd and even padding, in place, a row's inside columns as
many as the channels, a sweep of small shapes; 7 and 63 columns keep the fast rows), depth
multipliers and dilations (the reference rows), per-tensor and
per-channel scales, input/output zero points at both ends, activations, and requantisation
shifts on both sides of what the one-multiply requantisation takes (-2 ... -17 with out_zp folded,
"rq"; -2 ... -24 with out_zp added after the shift, "rq2"; shift -1 and shifts past -24 fall back
to tinycc_requant_s8), a channel of zero weights.

3x3 filters with rq / rq2 are packed by groups of 4 channels (shape field pf). Border pixels go
through the interior routine on a patch padded with the input zero point: 3x3 with pf in passes of
128 channels (channel counts 131, 228, 256: a last pass of 3, 100, 128 channels), other kernels
with rq when the window fits 1152 bytes; else the border routine (rq 0, a 5x5 window of 48
channels). Every border position (inputs of 1 to 3 pixels a side, one row, one column), stride 2
with odd and even padding, zero points at both ends.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm, assert_outputs_equal_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tests.tflite_builder import act, const, q, single_op
from tinycc.core.ops.common import same_padding


@pytest.fixture(autouse=True)
def _fast_and_wrow_kernels(monkeypatch):
    """These cases aim at the fast and wrow kernels and assert which one a node takes: the tpair
    entry (tried first where it applies; its own cases are tests/test_depthwise_tpair.py) is made
    not to apply here, so they keep reaching the kernels they were written for."""
    from tinycc.backends.c.ops import depthwise_conv_2d as emitter
    monkeypatch.setattr(emitter, "_tpair_bytes", lambda node, g, p: 0)


def dw(seed, h, w, cin, kernel=(3, 3), strides=(1, 1), same=True, mult=1, dil=(1, 1), per_channel=True,
       in_zp=None, out_zp=None, act_fn="none", bias=True, eff=None, zero_channel=False):
    """`eff`: the requantisation scale in_scale * w_scale / out_scale (first channel), else a
    scale that keeps outputs in range; `zero_channel`: channel 0's weights are zero."""
    rng = np.random.default_rng(seed)
    co = cin * mult
    in_scale = 0.02
    izp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
    ozp = int(rng.integers(-20, 20)) if out_zp is None else out_zp
    x = act("x", (1, h, w, cin), "int8", q(in_scale, izp))
    w_scales = rng.uniform(1e-3, 0.03, co).astype(np.float32)
    if not per_channel:
        w_scales[:] = w_scales[0]
    wdata = rng.integers(-127, 128, (1, *kernel, co)).astype(np.int8)
    if zero_channel:
        wdata[..., 0] = 0
    wt = const("w", wdata, q(w_scales, np.zeros(co), 3))
    b = const("b", rng.integers(-20000, 20000, co).astype(np.int32),
              q((w_scales * np.float32(in_scale)).astype(np.float32), np.zeros(co)))
    if eff is None:
        out_scale = float(np.float32(in_scale * w_scales.mean() * 127 * 8 * np.sqrt(kernel[0] * kernel[1]) / 4))
    else:
        out_scale = float(np.float32(in_scale * w_scales[0] / eff))
    y = act("y", (), "int8", q(out_scale, ozp))
    pads = (0, 0, 0, 0)
    if same:
        (t, bo), (le, r) = (same_padding((h, w)[i], kernel[i], strides[i], dil[i]) for i in (0, 1))
        pads = (t, le, bo, r)
    attrs = {"strides": strides, "dilations": dil, "activation": act_fn, "depth_multiplier": mult, "pads": pads}
    return single_op("depthwise_conv_2d", [x, wt, *([b] if bias else [])], y, attrs)


# name: (builder kwargs, requantisation path expected: "rq" one-multiply, "ref" tinycc_requant_s8,
#        "generic" reference rows)
CASES = {
    "3x3-s1-same-c5": (dict(h=6, w=7, cin=5), "rq"),
    "3x3-s1-same-c13-zp-128": (dict(h=5, w=6, cin=13, in_zp=-128, out_zp=-128, act_fn="relu"), "rq"),
    "3x3-s1-same-c64-kws": (dict(h=25, w=5, cin=64, act_fn="relu"), "rq"),
    "3x3-s1-valid-c12-zp127": (dict(h=6, w=5, cin=12, same=False, in_zp=127, out_zp=127), "rq"),
    "3x3-s2-same-c16": (dict(h=9, w=9, cin=16, strides=(2, 2), in_zp=-128, act_fn="relu6"), "rq"),
    "3x3-s2-same-even-c8": (dict(h=8, w=10, cin=8, strides=(2, 2)), "rq"),
    "3x3-s2-valid-c6": (dict(h=7, w=8, cin=6, strides=(2, 2), same=False), "rq"),
    "3x3-s12-asym-c4": (dict(h=7, w=8, cin=4, strides=(1, 2)), "rq"),
    "3x3-per-tensor-c9": (dict(h=5, w=5, cin=9, per_channel=False, out_zp=-128), "rq"),
    "3x3-no-bias-c4": (dict(h=4, w=4, cin=4, bias=False, in_zp=0), "rq"),
    "3x3-c3-only-remainder": (dict(h=5, w=4, cin=3), "rq"),
    "3x3-input-smaller-than-kernel": (dict(h=2, w=2, cin=8), "rq"),
    "3x3-one-column": (dict(h=6, w=1, cin=8, act_fn="relu"), "rq"),
    "5x5-same-c8": (dict(h=7, w=7, cin=8, kernel=(5, 5)), "rq"),
    "1x3-c7": (dict(h=4, w=6, cin=7, kernel=(1, 3), strides=(1, 2)), "rq"),
    "shift-minus-1": (dict(h=5, w=5, cin=8, eff=0.3), "ref"),
    "shift-minus-2": (dict(h=5, w=5, cin=8, eff=0.2, per_channel=False), "rq"),
    "shift-minus-17": (dict(h=5, w=5, cin=8, eff=0.7 * 2.0 ** -17, per_channel=False, out_zp=-128), "rq"),
    "shift-minus-20": (dict(h=5, w=5, cin=8, eff=0.7 * 2.0 ** -20, per_channel=False), "rq2"),
    "shift-minus-24-c6": (dict(h=4, w=5, cin=6, eff=0.7 * 2.0 ** -24, per_channel=False, out_zp=-128), "rq2"),
    "shift-minus-25": (dict(h=4, w=5, cin=8, eff=0.7 * 2.0 ** -25, per_channel=False), "ref"),
    "shift-minus-21-zp-128-relu": (dict(h=5, w=6, cin=12, eff=0.6 * 2.0 ** -21, per_channel=False, out_zp=-128,
                                        in_zp=-128, act_fn="relu"), "rq2"),
    "shift-minus-19-zp127": (dict(h=4, w=4, cin=5, eff=0.6 * 2.0 ** -19, per_channel=False, out_zp=127,
                                  in_zp=127), "rq2"),
    "shift-minus-17-out-zp127": (dict(h=5, w=5, cin=8, eff=0.7 * 2.0 ** -17, per_channel=False, out_zp=127), "rq"),
    "shift-minus-18": (dict(h=5, w=5, cin=8, eff=0.7 * 2.0 ** -18, per_channel=False, out_zp=0), "rq2"),
    "patch-3x3-all-border-c7": (dict(h=3, w=3, cin=7, in_zp=-128), "rq"),
    "patch-2x3-c13": (dict(h=2, w=3, cin=13, in_zp=127, act_fn="relu6"), "rq"),
    "patch-one-row-c5": (dict(h=1, w=6, cin=5), "rq"),
    "patch-one-pixel-c12": (dict(h=1, w=1, cin=12, in_zp=-128), "rq"),
    "patch-one-column-c9-s2": (dict(h=7, w=1, cin=9, strides=(2, 2)), "rq"),
    "patch-s2-odd-c12": (dict(h=7, w=7, cin=12, strides=(2, 2), in_zp=-128), "rq"),
    "patch-s2-even-c20": (dict(h=6, w=8, cin=20, strides=(2, 2)), "rq"),
    "patch-s21-c7": (dict(h=5, w=6, cin=7, strides=(2, 1), in_zp=127), "rq"),
    "patch-chunks-c131": (dict(h=3, w=4, cin=131, in_zp=-128, act_fn="relu"), "rq"),
    "patch-chunks-c228": (dict(h=3, w=3, cin=228), "rq"),
    "patch-chunks-c256-s2": (dict(h=5, w=4, cin=256, strides=(2, 2), in_zp=-128), "rq"),
    "patch-chunks-c130-rq2": (dict(h=2, w=3, cin=130, eff=0.6 * 2.0 ** -20, per_channel=False, in_zp=100), "rq2"),
    "border-routine-5x5-c48": (dict(h=5, w=6, cin=48, kernel=(5, 5), in_zp=-128), "rq"),
    "patch-5x5-c8": (dict(h=4, w=6, cin=8, kernel=(5, 5), in_zp=-128), "rq"),
    "patch-1x3-c6-one-row": (dict(h=1, w=4, cin=6, kernel=(1, 3)), "rq"),
    "border-ref-requant-c7": (dict(h=4, w=4, cin=7, eff=0.3, in_zp=-128), "ref"),
    "zero-weights-channel": (dict(h=5, w=6, cin=8, zero_channel=True), "rq"),
    # stride 1 with rq 1, interior runs of at least TINYCC_DW_PAIR_MIN (12) pixels: two pixels a pass
    # (tinycc_dw_s8_pf2); rq 2, rq 0 and column strides 2 beside them keep their paths
    "pair-even-run-c8": (dict(h=5, w=14, cin=8, in_zp=-128, act_fn="relu6"), "rq"),
    "pair-odd-run-c13": (dict(h=4, w=15, cin=13, act_fn="relu"), "rq"),
    "pair-valid-odd-c6": (dict(h=5, w=15, cin=6, same=False, in_zp=127, out_zp=127), "rq"),
    "pair-run-below-threshold-c4": (dict(h=4, w=13, cin=4), "rq"),
    "pair-run-at-threshold-c4": (dict(h=4, w=14, cin=4, in_zp=-128), "rq"),
    "pair-run-past-threshold-c3": (dict(h=4, w=15, cin=3), "rq"),
    "pair-c132": (dict(h=3, w=16, cin=132, in_zp=-128, act_fn="relu"), "rq"),
    "pair-c256-s2-wide": (dict(h=5, w=24, cin=256, strides=(2, 2)), "rq"),
    "pair-s2-wide-c12": (dict(h=5, w=33, cin=12, strides=(2, 2), in_zp=-128), "rq"),
    "pair-s12-wide-c8": (dict(h=4, w=30, cin=8, strides=(1, 2)), "rq"),
    "pair-s21-wide-c7": (dict(h=6, w=17, cin=7, strides=(2, 1)), "rq"),
    "pair-rq2-c12": (dict(h=4, w=16, cin=12, eff=0.6 * 2.0 ** -21, per_channel=False, out_zp=-128, in_zp=-128,
                          act_fn="relu"), "rq2"),
    "pair-rq2-odd-c5": (dict(h=3, w=19, cin=5, eff=0.7 * 2.0 ** -20, per_channel=False), "rq2"),
    "pair-ref-requant-c8": (dict(h=4, w=16, cin=8, eff=0.3), "ref"),
    # rq 1, co a multiple of 4, 8+ output columns, (ow - 1) * sw + 3 <= 64: rows through
    # tinycc_dw_s8_wrow (groups outer, input and filter widened once a group and row)
    "wrow-c4-w8": (dict(h=4, w=8, cin=4, in_zp=-128), "rq"),
    "wrow-one-row-c8": (dict(h=1, w=9, cin=8, in_zp=127, act_fn="relu"), "rq"),
    "wrow-two-rows-c12": (dict(h=2, w=8, cin=12, in_zp=-128, out_zp=127), "rq"),
    "wrow-three-rows-c4": (dict(h=3, w=10, cin=4, act_fn="relu6"), "rq"),
    "wrow-valid-c8": (dict(h=5, w=12, cin=8, same=False), "rq"),
    "wrow-s2-odd-c16": (dict(h=9, w=17, cin=16, strides=(2, 2), in_zp=-128), "rq"),
    "wrow-s2-even-c8": (dict(h=8, w=16, cin=8, strides=(2, 2), in_zp=127), "rq"),
    "wrow-s21-c8": (dict(h=7, w=10, cin=8, strides=(2, 1)), "rq"),
    "wrow-s12-c4": (dict(h=4, w=20, cin=4, strides=(1, 2), in_zp=-128), "rq"),
    "wrow-c128-s2": (dict(h=4, w=16, cin=128, strides=(2, 2), act_fn="relu"), "rq"),
    "wrow-max-cols-c4": (dict(h=3, w=62, cin=4, in_zp=-128), "rq"),
    "wrow-zero-weights-c8": (dict(h=4, w=9, cin=8, zero_channel=True), "rq"),
    # the widening loop's column count equal to the channel count (cr - cl == ci: GCC once gave the
    # count and the column step one register), both pixel loops (no clipping: assembly; clipping: C)
    "wrow-cols-eq-ci-c8": (dict(h=4, w=8, cin=8), "rq"),
    "wrow-cols-eq-ci-c8-zp-128": (dict(h=10, w=8, cin=8, in_zp=-128), "rq"),
    "wrow-cols-eq-ci-c8-relu": (dict(h=4, w=8, cin=8, act_fn="relu"), "rq"),
    "wrow-cols-eq-ci-c12-valid": (dict(h=3, w=12, cin=12, same=False), "rq"),
    "past-wrow-cols-c4": (dict(h=3, w=63, cin=4), "rq"),
    "below-wrow-ow7-c8": (dict(h=4, w=7, cin=8), "rq"),
    "mult2-generic": (dict(h=5, w=5, cin=3, mult=2), "generic"),
    "mult3-stride2-generic": (dict(h=7, w=6, cin=2, mult=3, strides=(2, 2), in_zp=-128), "generic"),
    "dilation2-generic": (dict(h=8, w=7, cin=5, dil=(2, 2)), "generic"),
}


def _rq_flag(src: str) -> str:
    if not re.search(r"tinycc_depthwise_conv_2d_s8_(fast|wrow|tsmall)\(", src.split("model_invoke", 1)[-1]):
        return "generic"
    m = re.search(r"static const tinycc_dw_shape \w+ = \{([^}]*)\};", src)
    return {"1": "rq", "2": "rq2"}.get(m.group(1).split(",")[-1].strip(), "ref")


@pytest.mark.parametrize("name", list(CASES))
def test_depthwise_fast_path_on_host_equals_tflm(name, tmp_path):
    from tests.c_build import write_sources
    from tinycc.plugins.importers.tflite import load_tflite
    kw, path = CASES[name]
    model = dw(31, **kw)
    write_sources(load_tflite(Path("test.tflite"), model), tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert _rq_flag(src) == path
    if "wrow" in name:
        assert ("tinycc_depthwise_conv_2d_s8_wrow(&" in src) == name.startswith("wrow-")
    assert_matches_tflm(model, samples=3, seed=4, c=True)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_depthwise_fast_path_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    from tests.c_build import write_sources
    from tinycc.plugins.importers.tflite import load_tflite
    kw, _ = CASES[name]
    model = dw(31, **kw)
    g = load_tflite(Path("test.tflite"), model)
    write_sources(g, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 3)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_depthwise_wrow_small_shapes_sweep_on_qemu_cortex_m4_equals_tflm(tmp_path):
    """tinycc_dw_s8_wrow over 2 to 5 rows, 8 to 11 columns, 4, 8 and 12 channels (SAME, stride 1,
    with and without clipping): every shape's output equals TF Lite Micro's under QEMU Cortex-M4."""
    from tests.c_build import write_sources
    from tinycc.plugins.importers.tflite import load_tflite
    failed = []
    for k, (h, w, cin) in enumerate((h, w, cin) for h in range(2, 6) for w in range(8, 12) for cin in (4, 8, 12)):
        kw = dict(h=h, w=w, cin=cin, act_fn=("none", "relu6")[k % 2])
        model = dw(41 + k, **kw)
        g = load_tflite(Path("test.tflite"), model)
        folder = tmp_path / f"s{k}"
        folder.mkdir()
        write_sources(g, folder)
        assert "tinycc_depthwise_conv_2d_s8_wrow(&" in (folder / "model.c").read_text(), kw
        try:
            assert_qemu_m4_equals_tflm(model, g, folder, 2)
        except AssertionError as e:
            failed.append(f"{kw}: {str(e)[:200]}")
    assert not failed, "\n".join(failed)


# in place (kernels/inplace.h's row ring over the input) through the two-pixel stride-1 path
# (and tinycc_dw_s8_wrow's rows: channels a multiple of 4, 8+ columns); the entry each takes
INPLACE = {
    "inplace-pair-odd-run-c13": (dict(h=6, w=15, cin=13, act_fn="relu"), "fast"),
    "inplace-pair-even-run-c8": (dict(h=5, w=16, cin=8, in_zp=-128, act_fn="relu6"), "wrow"),
    "inplace-wrow-c16": (dict(h=6, w=12, cin=16, in_zp=-128, act_fn="relu"), "wrow"),
    "inplace-wrow-s2-c8": (dict(h=9, w=18, cin=8, strides=(2, 2)), "wrow"),
}


def _in_place(name, tmp_path):
    from tests.c_build import write_sources
    from tests.test_inplace import check_no_overlap, sandwiched
    from tinycc.core.passes import memory
    kw, entry = INPLACE[name]
    model = dw(37, **kw)
    g = sandwiched(model)
    p = memory.plan(g, inplace=True)
    c = p.inplace.get(g.nodes[1].name)
    assert c is not None and c.kind == "rows", f"{name}: not planned in place"
    check_no_overlap(g, p)
    write_sources(g, tmp_path)
    assert f"tinycc_depthwise_conv_2d_s8_{entry}_inplace(&" in (tmp_path / "model.c").read_text()
    return model, g


@pytest.mark.parametrize("name", list(INPLACE))
def test_depthwise_pair_path_in_place_on_host_equals_tflm(name, tmp_path):
    from tests.c_build import build, run_exe
    model, g = _in_place(name, tmp_path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(3)]
    assert_outputs_equal_tflm(model, samples, run_exe(build(g, tmp_path), g, samples))


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("name", list(INPLACE))
def test_depthwise_pair_path_in_place_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model, g = _in_place(name, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)

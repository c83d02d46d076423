"""The shallow-input conv kernel (kernels/optimised/conv_2d_shallow.h, tinycc_conv_2d_s8_shallow: 3x3 over 3
channels, stride 2 or 1, input rows widened to int16 once, four pixels by two channels a pass) against TF Lite
Micro, byte for byte: on the host built with ASan + UBSan (the portable C loop) and under QEMU on a Cortex-M4
(the assembly loop).

Edge shapes: SAME padding with a left column (odd width) and without, VALID, an output row that is not whole
blocks of 4 (the tail block), a row wider than one chunk (48 pixels: the emitter's TINYCC_SH_PX, else a row's),
two images, 2 and 64 output channels and
6 (not a multiple of 4), stride 1 (two phases of columns; more pixels than a chunk; only tail blocks), a dead
channel (all-zero filter), input zero points at both int8 ends, inputs at
both int8 ends; both requantisation modes: an output zero point above -128 (negative sums round away from
zero: the ADD ASR #31) and -128 under ReLU (mode z0: filter scaled by 2^(t-r), SSAT8(SMMLA(acc 2^(t-r), M, Ra)
>> (t - 1)), its formula against TFLM's requantisation over the extremes); a layer with a shift key; two
shallow nodes in one model (their words' forms, z0 shifts and output steps agreeing or not: TINYCC_SH_RQW,
TINYCC_SH_ZS, TINYCC_SH_STEP). And the shapes it refuses (4 channels, stride 1x2, an odd channel count, a
clipping activation; under `--optimize size`)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu, write_model_c
from tests.ops.check import assert_matches_tflm
from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w
from tests.tflite_builder import act, q, single_op

KERNEL = "tinycc_conv_2d_s8_shallow("


def shallow_parts(seed, h, w, cout, *, cin=3, strides=(2, 2), same=True, n=1, in_zp=None, out_zp=None,
                  act_fn="none", dead=False, oscale=1.0):
    """A 3x3 conv_2d layer's input, per-channel int8 weights, bias, output and attributes; `dead`: channel 0's
    filter all zeros; `oscale` multiplies the output scale."""
    rng = np.random.default_rng(seed)
    zp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
    x = act("x", (n, h, w, cin), "int8", q(0.02, zp))
    wt, b, w_mean = _quant_w(rng, (cout, 3, 3, cin), 0, True, 0.02)
    if dead:
        wt.data[0] = 0
    oz = int(rng.integers(-20, 20)) if out_zp is None else out_zp
    y = act("y", (), "int8", q(_out_scale(0.02, w_mean, 9 * cin) * oscale, oz))
    attrs = {"strides": strides, "dilations": (1, 1), "activation": act_fn,
             "pads": _pads((h, w), (3, 3), strides, same)}
    return [x, wt, b], y, attrs


def shallow_case(seed, h, w, cout, **kw):
    """The one-node model of shallow_parts."""
    inputs, y, attrs = shallow_parts(seed, h, w, cout, **kw)
    return single_op("conv_2d", inputs, y, attrs)


# name: case arguments (each takes the shallow kernel)
CASES = {
    "vww-like-odd-width-tail": dict(h=9, w=11, cout=8, in_zp=-128),                  # pad left 1, ow 6: 4 + tail 2
    "even-width-relu-zp-128": dict(h=10, w=16, cout=8, out_zp=-128, act_fn="relu"),   # no left pad, no rounding term
    "valid-co2-zp127": dict(h=8, w=9, cout=2, same=False, in_zp=127),
    "two-chunks-co6": dict(h=5, w=101, cout=6),                                        # ow 51: a chunk of 48 + 3
    "two-images-co64-dead": dict(h=6, w=8, cout=64, n=2, dead=True, in_zp=0),
    "stride1-ic-like": dict(h=8, w=8, cout=16, strides=(1, 1), in_zp=-128, out_zp=-128, act_fn="relu"),
    "stride1-odd-width-two-chunks": dict(h=4, w=101, cout=4, strides=(1, 1)),       # ow 101: 2 x 48, then 3 + 2
    "stride1-valid-narrow": dict(h=6, w=7, cout=2, strides=(1, 1), same=False, in_zp=127),   # ow 5: tails only
    "z0-dead-co10-tail": dict(h=7, w=13, cout=10, out_zp=-128, act_fn="relu", dead=True, in_zp=127),  # ow 7: 4 + 3
}


def _emitter_defines(src: str) -> str:
    """The model's C before the shallow kernel's defaults (#ifndef ... #define): the emitter's #defines."""
    return src.split("#ifndef TINYCC_SHALLOW_NEG")[0]


def _z0(kw) -> bool:
    return kw.get("out_zp", 0) == -128


def _extremes(model: bytes, value: int) -> list[np.ndarray]:
    from tinycc.plugins.importers.tflite import load_tflite
    g = load_tflite(Path("test.tflite"), model)
    return [np.full(g.tensors[g.inputs[0]].shape, value, np.int8)]


@pytest.mark.parametrize("name", list(CASES))
def test_shallow_kernel_on_host_sanitized_equals_tflm(name, tmp_path):
    model = shallow_case(7, **CASES[name])
    assert KERNEL in invoke_source(model, tmp_path)
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)
    for value in (-128, 127):
        assert_matches_tflm(model, c=True, inputs=_extremes(model, value))


@needs_qemu
@pytest.mark.parametrize("name", list(CASES))
def test_shallow_kernel_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model = shallow_case(7, **CASES[name])
    src = write_model_c(model, tmp_path)[1]
    kw = CASES[name]
    neg = kw.get("out_zp", 0) > -128
    step = kw["cout"] * (2 if kw.get("strides") == (1, 1) else 1)
    head = _emitter_defines(src)
    assert f"#define TINYCC_SHALLOW_NEG {int(neg)}" in src and KERNEL in src.split("_invoke(")[-1]
    assert f"#define TINYCC_SH_RQW {int(not _z0(kw))}\n" in head and f"#define TINYCC_SH_STEP {step}\n" in head
    assert (int(re.search(r"#define TINYCC_SH_ZS (\d+)\n", head).group(1)) > 0) == _z0(kw)
    if "chunks" in name:        # a row of more pixels than the largest chunk: two chunks of the row
        assert "#define TINYCC_SH_PX 48\n" in head
    assert_qemu_m4_fast_path(model, tmp_path, KERNEL, samples=3)


@pytest.mark.parametrize("kw", [dict(cin=4), dict(strides=(1, 2)), dict(cout=7), dict(act_fn="relu6")],
                         ids=["cin4", "stride-1x2", "odd-co", "relu6"])
def test_shapes_it_cannot_do_take_another_kernel(kw, tmp_path):
    model = shallow_case(3, **{"h": 9, "w": 9, "cout": 8, **kw})
    assert KERNEL not in invoke_source(model, tmp_path)
    assert_matches_tflm(model, samples=1, c=True)


def test_optimize_size_leaves_it_out(tmp_path):
    from tinycc.driver import compile_model
    path = tmp_path / "m.tflite"
    path.write_bytes(shallow_case(7, **CASES["vww-like-odd-width-tail"]))
    compile_model(path, "c", tmp_path / "size", options={"optimize": "size"})
    compile_model(path, "c", tmp_path / "speed", options={"optimize": "speed"})
    assert KERNEL not in (tmp_path / "size" / "model.c").read_text().split("_invoke(")[-1]
    assert KERNEL in (tmp_path / "speed" / "model.c").read_text().split("_invoke(")[-1]


@needs_qemu
@pytest.mark.parametrize("core,flags", [("cortex-m4", ("-Os",)), ("cortex-m0plus", ())], ids=["m4-Os", "m0plus"])
def test_other_builds_and_cores_equal_tflm(core, flags, tmp_path):
    """A Cortex-M4 build at -Os still builds (the assembly loop takes 14 registers) and equals TF Lite Micro; so
    does ARMv6-M, which runs the im2col kernel's words passed beside."""
    from tests.ops.check import assert_outputs_equal_tflm, random_inputs
    from tinycc import cortexm
    t = cortexm.TARGETS[core]
    if any(shutil.which(p) is None for p in (t.compiler, t.qemu)):
        pytest.skip(f"{core}'s compiler or QEMU is not installed")
    model = shallow_case(7, **CASES["vww-like-odd-width-tail"])
    g, src = write_model_c(model, tmp_path)
    assert KERNEL in src.split("_invoke(")[-1]
    report = cortexm.build(tmp_path, core, extra_flags=flags)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in (1, 2)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    assert_outputs_equal_tflm(model, xs, cortexm.run(report["elf"], core, xs, layout))


@needs_qemu
def test_a_layer_shift_key_equals_tflm(tmp_path):
    """A layer whose requantisation words need a shift key (requant.cols_packed_words: seed 38's key 27): the
    assembly XORs it into each channel's word for the shift (TINYCC_SH_KEY 1; 0 where no shallow node has a key,
    as in every case above); host (ASan + UBSan) and Cortex-M4 outputs equal TF Lite Micro's."""
    model = shallow_case(38, h=6, w=8, cout=8)
    src = write_model_c(model, tmp_path)[1]
    assert "#define TINYCC_SH_KEY 1\n" in src.split("#ifndef")[0]      # the emitter's, before the kernels' defaults
    assert_qemu_m4_fast_path(model, tmp_path, KERNEL, samples=3)
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)


def _tflm_requant(acc: int, m: int, shift: int, zp: int) -> int:
    """TF Lite Micro's MultiplyByQuantizedMultiplier (SaturatingRoundingDoublingHighMul, then
    RoundingDivideByPOT by -shift) plus zp, clamped to int8, written out from its source with C's truncation."""
    ab = acc * m
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    num = ab + nudge
    x = abs(num) // (1 << 31) * (1 if num >= 0 else -1)          # C's division truncates toward zero
    e = -shift
    mask = (1 << e) - 1
    rem, threshold = x & mask, (mask >> 1) + (1 if x < 0 else 0)
    return max(-128, min(127, (x >> e) + (1 if rem > threshold else 0) + zp))


def test_mode_z0_formula_equals_tflm_over_the_extremes():
    """Mode z0's output SSAT8(SMMLA(acc 2^e, M, Ra) >> (t - 1)), e = t - r in [2, 8], Ra = 2^(e-2) + 2^(t-2) -
    2^(t+6), equals TFLM's with output zero point -128 for the multipliers' ends (2^30, 2^31 - 1) and others,
    right shifts 1..16 at scales 2^2..2^8, accumulators at and around every output level's threshold, at 0, -1,
    and as far out as the emitter lets them (|acc 2^e| < 2^31, |Ra| + |acc 2^e| / 2 + 2 < 2^31)."""
    rng = np.random.default_rng(19)
    for m in [1 << 30, (1 << 31) - 1, *(int(v) for v in rng.integers(1 << 30, 1 << 31, 3))]:
        for r in (1, 2, 7, 13, 16):
            for e in (2, 3, 5, 8):
                t = r + e
                ra = (1 << (e - 2)) + (1 << (t - 2)) - (1 << (t + 6))
                far = min(((1 << 31) - 1) >> e, ((1 << 31) - abs(ra) - 3) * 2 >> e)
                levels = [((k + 1) << r) * (1 << 31) // m for k in range(-2, 258)]     # near each threshold
                accs = {0, -1, 1, far, -far, far - 1, *(int(v) for v in rng.integers(-far, far, 100))}
                accs |= {a + d for a in levels for d in (-2, -1, 0, 1, 2) if abs(a + d) <= far}
                for acc in accs:
                    x = (ra * (1 << 32) + (acc << e) * m) >> 32          # SMMLA: the high word, floored
                    assert -(1 << 31) <= x < (1 << 31) and -(1 << 31) <= acc << e < (1 << 31)
                    assert max(-128, min(127, x >> (t - 1))) == _tflm_requant(acc, m, -r, -128), (m, r, e, acc)


def _two_shallow(kw1: dict, kw2: dict, seed2: int = 8) -> bytes:
    """One input, two shallow conv_2d nodes beside each other (their own filters, steps and output quantisation),
    both outputs the model's."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    (x, w1, b1), y1, a1 = shallow_parts(7, 9, 11, in_zp=-128, **kw1)
    (_, w2, b2), y2, a2 = shallow_parts(seed2, 9, 11, in_zp=-128, **kw2)
    for t, name in ((w2, "w2"), (b2, "b2"), (y2, "y2")):
        t.name = name
    nodes = [Node("conv1", "conv_2d", ["x", "w", "b"], ["y"], a1),
             Node("conv2", "conv_2d", ["x", "w2", "b2"], ["y2"], a2)]
    g = Graph("two_shallow", {t.name: t for t in (x, w1, b1, y1, w2, b2, y2)}, nodes, ["x"], ["y", "y2"],
              source="<two shallow convs>")
    return write_tflite(validate(g))


@needs_qemu
@pytest.mark.parametrize("kw2,seed2,rqw,z0,step", [
    (dict(cout=6, strides=(1, 1), out_zp=3), 8, 1, False, 0),             # a W-form node: both take W, h
    (dict(cout=4, strides=(1, 1), out_zp=-128, act_fn="relu"), 8, 0, False, 8),     # z0's shifts differ: W, h
    (dict(cout=8, strides=(1, 1), out_zp=-128, act_fn="relu"), 7, 0, True, 0),      # one z0 shift, steps 8, 16
], ids=["z0-and-w-form", "z0-two-shifts-one-step", "z0-one-shift-two-steps"])
def test_two_shallow_nodes_equal_tflm(kw2, seed2, rqw, z0, step, tmp_path):
    """Two shallow nodes in one model: the words are mode z0's only where both can take it (TINYCC_SH_RQW 0) with
    one shift (TINYCC_SH_ZS, else 0), the stores' immediate step only where their steps agree (TINYCC_SH_STEP,
    else the step passed); host (ASan + UBSan) and Cortex-M4 outputs equal TF Lite Micro's."""
    model = _two_shallow(dict(cout=8, out_zp=-128, act_fn="relu"), kw2, seed2)
    src = write_model_c(model, tmp_path)[1]
    head = _emitter_defines(src)
    assert src.split("_invoke(")[-1].count(KERNEL) == 2
    assert f"#define TINYCC_SH_RQW {rqw}\n" in head and f"#define TINYCC_SH_STEP {step}\n" in head
    assert (int(re.search(r"#define TINYCC_SH_ZS (\d+)\n", head).group(1)) > 0) == z0
    assert_qemu_m4_fast_path(model, tmp_path, KERNEL, samples=2)
    assert_matches_tflm(model, samples=2, seed=5, c=True, sanitize=True)

"""The depthwise kernel for depth multipliers > 1 (tinycc_depthwise_conv_2d_s8_mult,
kernels/optimised/depthwise_conv_2d_mult.h: 3x3, dilation 1, any stride, padding and input channels)
against TF Lite Micro, byte for byte: on the host under ASan + UBSan (plain C), under QEMU on a Cortex-M4
(the window as int16 pairs, SMLAD; assembly loops for mode z0 with an even multiplier and for rq 1) and
on a Cortex-M0+ (plain C, ARMv6-M's requantisation).

Edge shapes: multipliers 2, 3 (odd: z0 takes the C loop), 4 and 8; 1, 2 and 3 input channels; stride 1
and 2 (and 2 down, 1 across); same and valid padding over odd sizes (border pixels with the input zero
point in the padded taps); two images; per-tensor and per-channel scales; the four requantisations
(z0: out_zp -128; rq 1; rq 2 from a large output scale; rq 0 from a small one), with and without
clipping (relu6 on a large output scale); zero points at the int8 extremes and inputs of -128 and 127
only. Each case asserts the node takes the variant, its mode and the model's TINYCC_DW_MULT_MODES.
Shapes it does not take (5x5, dilation 2, multiplier 1) keep the other kernels."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_matches_tflm, assert_outputs_equal_tflm, random_inputs
from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w
from tests.tflite_builder import act, q, single_op
from tinycc import cortexm
from tinycc.backends.c.ops import depthwise_conv_2d as emitter
from tinycc.core import ops
from tinycc.plugins.importers.tflite import load_tflite

QEMU = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                          reason="the Cortex-M toolchain and QEMU are not installed")


def mult_case(seed, h, w, cin, dm, strides=(1, 1), same=True, act_fn="none", n=1, per_channel=True,
              out_scale=1.0, in_zp=None, out_zp=None, kernel=(3, 3), dilations=(1, 1)):
    """A depthwise layer with depth multiplier dm; out_scale multiplies the output scale."""
    rng = np.random.default_rng(seed)
    x = act("x", (n, h, w, cin), "int8", q(0.02, int(rng.integers(-128, 128)) if in_zp is None else in_zp))
    wt, b, w_mean = _quant_w(rng, (1, *kernel, cin * dm), 3, per_channel, 0.02)
    zp = int(rng.integers(-20, 20)) if out_zp is None else out_zp
    y = act("y", (), "int8", q(_out_scale(0.02, w_mean, 9) * out_scale, zp))
    span = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilations))
    attrs = {"strides": strides, "dilations": dilations, "activation": act_fn, "depth_multiplier": dm,
             "pads": _pads((h, w), span, strides, same)}
    return single_op("depthwise_conv_2d", [x, wt, b], y, attrs)


# name: (case arguments, the mode expected: 3 z0, 1 or 2 (rq words), 0 (shifts), clipping)
CASES = {
    "c1-m8-s2-same-z0-person-detect": (dict(h=13, w=11, cin=1, dm=8, strides=(2, 2), act_fn="relu6", out_zp=-128),
                                       3, 1),
    "c1-m2-valid-rq1": (dict(h=7, w=9, cin=1, dm=2, same=False), 1, 0),
    "c3-m3-same-z0-odd-multiplier": (dict(h=6, w=5, cin=3, dm=3, out_zp=-128), 3, 0),
    "c3-m2-s2-z0-relu": (dict(h=9, w=8, cin=3, dm=2, strides=(2, 2), act_fn="relu", out_zp=-128), 3, 0),
    "c2-m4-s21-rq2": (dict(h=8, w=5, cin=2, dm=4, strides=(2, 1), out_scale=2.0 ** 10), 2, 0),
    "c1-m2-rq0-small-scale": (dict(h=5, w=6, cin=1, dm=2, out_scale=2.0 ** -10), 0, 0),
    "c1-m8-per-tensor-extreme-zero-points": (dict(h=5, w=7, cin=1, dm=8, per_channel=False, in_zp=127, out_zp=127),
                                             1, 0),
    "c2-m3-two-images-low-zero-points": (dict(h=4, w=3, cin=2, dm=3, n=2, in_zp=-128, out_zp=-128), 3, 0),
    "c1-m4-z0-relu6-clip": (dict(h=7, w=7, cin=1, dm=4, act_fn="relu6", out_zp=-128, out_scale=2.0), 3, 1),
    # enough outputs (4,608 a sample) that rq 1's rounding terms (2^30, acc < 0) meet their edge cases
    "c1-m8-s2-rq1-many-outputs": (dict(h=48, w=48, cin=1, dm=8, strides=(2, 2), out_zp=5), 1, 0),
    "c1-m2-rq1-relu6-clip": (dict(h=6, w=9, cin=1, dm=2, strides=(2, 2), act_fn="relu6", out_zp=-100,
                                  out_scale=2.0 ** 6), 1, 1),
}


def _graph(name):
    kw, rq, clip = CASES[name]
    model = mult_case(11, **kw)
    g = load_tflite(Path("test.tflite"), model)
    node = g.nodes[0]
    p = ops.require(node.op).prepare(node, g)
    assert emitter._mult_plan(node, g, p) is not None, name
    assert emitter.mult_mode(node, g, p)[0] == rq, name
    assert int(p["act_min"] > -128 or p["act_max"] < 127) == clip, name
    return model, g, 1 << (rq + 4 * clip)


def _sources(name, folder):
    model, g, bit = _graph(name)
    write_sources(g, folder)
    src = (folder / "model.c").read_text()
    assert "tinycc_depthwise_conv_2d_s8_mult(" in src
    assert f"#define TINYCC_DW_MULT_MODES {bit}\n" in src    # only the node's loop compiled in
    return model, g


def _extremes(g, xs):
    """One more input of -128 and 127 only."""
    return [*xs, [np.where(np.random.default_rng(3).random(a.shape) < 0.5, -128, 127).astype(a.dtype)
                  for a in xs[0]]]


@pytest.mark.parametrize("name", list(CASES))
def test_mult_on_host_equals_tflm(name):
    model, g, _ = _graph(name)
    assert_matches_tflm(model, samples=2, seed=3, c=True, sanitize=True)
    assert_matches_tflm(model, c=True, inputs=_extremes(g, [random_inputs(g, np.random.default_rng(0))])[1])


def _run_qemu(name, folder, core):
    model, g = _sources(name, folder)
    report = cortexm.build(folder, core)
    xs = _extremes(g, [random_inputs(g, np.random.default_rng(k)) for k in (0, 1)])
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    target = "qemu-cortex-m4" if core == "cortex-m4" else core
    assert_outputs_equal_tflm(model, xs, cortexm.run(report["elf"], target, xs, layout))


@QEMU
@pytest.mark.parametrize("name", list(CASES))
def test_mult_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    _run_qemu(name, tmp_path, "cortex-m4")


@QEMU
def test_mult_on_qemu_cortex_m0plus_equals_tflm(tmp_path):
    _run_qemu("c3-m2-s2-z0-relu", tmp_path, "cortex-m0plus")


@pytest.mark.parametrize("kw", [dict(h=6, w=6, cin=1, dm=2, kernel=(5, 5)),           # 5x5
                                dict(h=8, w=8, cin=1, dm=2, dilations=(2, 2)),         # dilation 2
                                dict(h=6, w=6, cin=4, dm=1)])                          # multiplier 1
def test_mult_refuses_what_it_does_not_handle(kw, tmp_path):
    g = load_tflite(Path("test.tflite"), mult_case(11, **kw))
    node = g.nodes[0]
    assert emitter._mult_plan(node, g, ops.require(node.op).prepare(node, g)) is None, kw
    write_sources(g, tmp_path)
    assert "tinycc_depthwise_conv_2d_s8_mult(" not in (tmp_path / "model.c").read_text()


@QEMU
def test_mult_without_assembly_on_qemu_cortex_m4_equals_tflm(tmp_path):
    """-DTINYCC_NO_ASM with a frame pointer: the C loops only (no SMMLAR: z0's assembly compiled out)."""
    model, g = _sources("c1-m8-s2-same-z0-person-detect", tmp_path)
    report = cortexm.build(tmp_path, "cortex-m4", extra_flags=["-DTINYCC_NO_ASM", "-fno-omit-frame-pointer"])
    dump = subprocess.run(["arm-none-eabi-objdump", "-d", str(report["elf"])], capture_output=True, text=True,
                          check=True).stdout
    assert "smmlar" not in dump
    xs = _extremes(g, [random_inputs(g, np.random.default_rng(0))])
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    assert_outputs_equal_tflm(model, xs, cortexm.run(report["elf"], "qemu-cortex-m4", xs, layout))

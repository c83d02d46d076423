"""The depthwise kernel that pairs taps along rows (tinycc_dw_s8_tpair, kernels/optimised/
depthwise_conv_2d_tpair.h: 3x3 packed filter, rq 1 or 2, co a multiple of 4, stride 1 or 2 across, 8 or
more output columns) against TF Lite Micro, byte for byte: on the host under ASan + UBSan (the kernel
compiles out: the fast kernel's rows) and under QEMU on a Cortex-M4 (the channel-planar int16 ring,
its assembly quads of SMLAD tap pairs, the C loop's clipping and odd last output).

Edge shapes: output widths 8, 9, 10, 11 (quads only; a last odd output; a last pair: one more quad
over the last four outputs; both) and 12, 13, 14 (an odd count of quads: the loop's two-quad pass
entered at its second; with a pair left, an odd output), at stride 1 and 2 across, valid and same
padding (the left padding odd: a row's first word half zero point), stride 2 down (rows skipped in
the ring), two images (the ring forgets the first image's rows), the three requantisation loops (rq
1; rq 2 from a large output scale; z0: out_zp -128 without clipping, with and without a ReLU),
clipping activations (the C loop), int8 extremes (zero points 127), a folded bias past 2^29 (z0
would overflow: rq 1 stays), and nodes planned in place over their input (output rows straight over
the widened input rows) at stride 1 and 2."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm
from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w
from tests.test_inplace import sandwiched
from tests.tflite_builder import act, q, single_op
from tinycc.backends.c.ops import depthwise_conv_2d as emitter
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.passes import memory
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite


def tp_case(seed, h, w, cin, strides=(1, 1), same=True, act_fn="none", n=1, out_scale=1.0, out_zp=None,
            in_zp=None):
    """A 3x3 depthwise layer; out_scale multiplies the output scale (2^10: shifts past 17, rq 2)."""
    rng = np.random.default_rng(seed)
    x = act("x", (n, h, w, cin), "int8", q(0.02, int(rng.integers(-128, 128)) if in_zp is None else in_zp))
    wt, b, w_mean = _quant_w(rng, (1, 3, 3, cin), 3, True, 0.02)
    zp = int(rng.integers(-20, 20)) if out_zp is None else out_zp
    y = act("y", (), "int8", q(_out_scale(0.02, w_mean, 9) * out_scale, zp))
    attrs = {"strides": strides, "dilations": (1, 1), "activation": act_fn, "depth_multiplier": 1,
             "pads": _pads((h, w), (3, 3), strides, same)}
    return single_op("depthwise_conv_2d", [x, wt, b], y, attrs)


# name: (case arguments, the assembly loop expected: 1, 2 (rq) or 4 (z0))
CASES = {
    "c8-w8-rq1": (dict(h=6, w=8, cin=8), 1),
    "c8-w9-z0-relu": (dict(h=5, w=9, cin=8, act_fn="relu", out_zp=-128), 4),
    "c12-w10-z0-valid-stride2-down": (dict(h=9, w=12, cin=12, same=False, strides=(2, 1), out_zp=-128), 4),
    "c4-w11-relu6-clip": (dict(h=5, w=11, cin=4, act_fn="relu6"), 1),
    "c8-w10-rq2": (dict(h=6, w=10, cin=8, out_scale=2.0 ** 10), 2),
    "c4-w8-two-images": (dict(h=3, w=8, cin=4, n=2), 1),
    "c8-w12-extreme-zero-points": (dict(h=4, w=12, cin=8, in_zp=127, out_zp=127), 1),
    "c8-s2-w8-z0": (dict(h=9, w=16, cin=8, strides=(2, 2), out_zp=-128, act_fn="relu"), 4),
    "c4-s2-w10-rq1-valid": (dict(h=7, w=21, cin=4, strides=(2, 2), same=False), 1),
    "c8-s2-w11-rq2": (dict(h=6, w=22, cin=8, strides=(2, 2), out_scale=2.0 ** 10), 2),
    "c4-s2-w9-relu6-clip": (dict(h=5, w=18, cin=4, strides=(2, 2), act_fn="relu6"), 1),
    "c8-w12-z0-odd-quads": (dict(h=5, w=12, cin=8, act_fn="relu", out_zp=-128), 4),
    "c4-w14-rq1-odd-quads-pair-left": (dict(h=4, w=14, cin=4), 1),
    "c8-s2-w13-z0-odd-quads": (dict(h=6, w=26, cin=8, strides=(2, 2), out_zp=-128), 4),
}


def _graph(name):
    kw, loop = CASES[name]
    model = tp_case(11, **kw)
    g = load_tflite(Path("test.tflite"), model)
    node = g.nodes[0]
    p = ops.require(node.op).prepare(node, g)
    assert emitter._entry(node, g, p) == "tpair", name
    assert emitter._tpair_loop(node, g, p, p["act_min"] > -128 or p["act_max"] < 127) == loop, name
    return model, g


@pytest.mark.parametrize("name", list(CASES))
def test_tpair_on_host_equals_tflm(name):
    model, _ = _graph(name)
    assert_matches_tflm(model, samples=2, seed=3, c=True, sanitize=True)


def test_narrow_rows_keep_the_fast_kernel():
    """Below DW_TP_MIN_OW output columns (and for channels not a multiple of 4) the fast kernel stays."""
    for kw in (dict(h=5, w=7, cin=8), dict(h=9, w=14, cin=8, strides=(2, 2)), dict(h=5, w=12, cin=6)):
        g = load_tflite(Path("test.tflite"), tp_case(11, **kw))
        node = g.nodes[0]
        assert emitter._entry(node, g, ops.require(node.op).prepare(node, g)) != "tpair", kw


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_tpair_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model, g = _graph(name)
    write_sources(g, tmp_path)
    assert "tinycc_depthwise_conv_2d_s8_tpair(" in (tmp_path / "model.c").read_text()
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("name", ["c8-w9-z0-relu", "c4-w11-relu6-clip", "c8-s2-w11-rq2", "c8-s2-w8-z0",
                                  "c4-w14-rq1-odd-quads-pair-left"])
def test_tpair_in_place_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    """The node between two copies, planned in place over its input: the output rows go straight over the
    input rows the kernel has widened (no ring copy), at stride 1 and 2."""
    model, _ = _graph(name)
    g = sandwiched(model)
    c = memory.plan(g, inplace=True).inplace.get(g.nodes[1].name)
    assert c is not None and c.kind == "rows", name
    write_sources(g, tmp_path)
    assert "tinycc_depthwise_conv_2d_s8_tpair_inplace(&" in (tmp_path / "model.c").read_text()
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_a_bias_past_2_to_the_29_keeps_rq_1_on_qemu_cortex_m4(tmp_path):
    """Mode z0 doubles the accumulator: with a folded bias of 2^29 or more a node keeps rq 1's loop."""
    g = load_tflite(Path("a.tflite"), tp_case(11, h=4, w=8, cin=4, act_fn="relu", out_zp=-128))
    node = g.nodes[0]
    bias = g.tensors[node.inputs[2]]
    g.tensors[bias.name] = dataclasses.replace(bias, data=np.array([1 << 29, -(1 << 29), 5, -5], np.int32))
    model = write_tflite(validate(g))
    g = load_tflite(Path("test.tflite"), model)
    node = g.nodes[0]
    p = ops.require(node.op).prepare(node, g)
    assert emitter._entry(node, g, p) == "tpair" and emitter._tpair_loop(node, g, p, False) == 1
    write_sources(g, tmp_path)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)

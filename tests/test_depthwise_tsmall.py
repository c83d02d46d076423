"""The depthwise kernel for small planes (tinycc_dw_s8_tsmall, kernels/optimised/depthwise_conv_2d_tsmall.h:
3x3 packed filter, rq 1 or 2, co a multiple of 4, stride 1 or 2 across, no clipping, 2 to 7 output
columns) against TF Lite Micro, byte for byte: on the host under ASan + UBSan (the kernel compiles
out: the fast kernel) and under QEMU on a Cortex-M4 (four channels' padded int16 planes, one block of
assembly a channel over all its rows, two outputs a pass; or in mode z0 with stride 1 across, 5 or 6
output columns and plane rows of 16 bytes the row loop: a whole output row a pass).

Edge shapes (planes large enough to pay, _tsmall_pays): output widths 2 and 4 to 7 (even; odd: the
last pair stores one output), plane rows of 16 and 32 bytes, stride 1 and 2 across, stride 2 down,
valid and same padding (an odd left padding: a first column alone; an odd last column alone), two
images, the three requantisation loops (rq 1; rq 2 from a large output scale; z0: out_zp -128 without
clipping, with and without a ReLU, from rq 1 and from rq 2 with shifts up to 24), int8 extremes (zero
points 127 and -128), a folded bias past 2^29 (z0 off), the row loop's four forms (even and odd
widths, stride 1 and 2 down; each case's TINYCC_DW_SM_ROWL asserted), and two nodes in a row (the
second in place over its input). Shapes it refuses (clipping, channels not a multiple of 4, 8 or more output columns,
a stride 2 row past 28 bytes, planes too small to pay) keep another kernel."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm
from tests.test_depthwise_rows import splice
from tests.test_depthwise_tpair import tp_case
from tinycc.backends.c.ops import depthwise_conv_2d as emitter
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

QEMU = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                          reason="the Cortex-M toolchain and QEMU are not installed")

# name: (case arguments, the assembly loop expected: 1, 2 (rq) or 4 (z0))
CASES = {
    "c8-w4-rq1-extreme-zero-points": (dict(h=10, w=4, cin=8, in_zp=127, out_zp=127), 1),
    "c8-w4-z0-relu": (dict(h=8, w=4, cin=8, act_fn="relu", out_zp=-128), 4),
    "c12-w6-z0-stride2-down": (dict(h=14, w=6, cin=12, strides=(2, 1), out_zp=-128), 4),
    "c8-w6-rq2": (dict(h=6, w=6, cin=8, out_scale=2.0 ** 10), 2),
    "c8-w6-rq2-z0-relu": (dict(h=6, w=6, cin=8, out_scale=2.0 ** 10, out_zp=-128, act_fn="relu"), 4),
    "c8-w5-rq2-z0-shift24": (dict(h=10, w=5, cin=8, out_scale=2.0 ** 12, out_zp=-128), 4),
    "c4-w7-two-images": (dict(h=6, w=7, cin=4, n=2), 1),
    "c8-w5-low-zero-points": (dict(h=10, w=5, cin=8, in_zp=-128, out_zp=-128), 4),
    "c8-w7-valid-rq1": (dict(h=12, w=9, cin=8, same=False), 1),
    "c8-s2-w4-z0-relu": (dict(h=12, w=8, cin=8, strides=(1, 2), out_zp=-128, act_fn="relu"), 4),
    "c4-s2-w5-rq1-valid": (dict(h=26, w=11, cin=4, strides=(1, 2), same=False), 1),
    "c8-s2-w6-rq2": (dict(h=8, w=12, cin=8, strides=(1, 2), out_scale=2.0 ** 10), 2),
    "c8-s22-w6-odd-input": (dict(h=16, w=11, cin=8, strides=(2, 2)), 1),
    "c8-s2-w2-rows16": (dict(h=28, w=4, cin=8, strides=(1, 2), out_zp=-128), 4),
    # the row loop (z0, stride 1 across, 5 or 6 output columns, rows of 16 bytes): VWW's 6x6 planes,
    # an odd width two rows down from int8 extremes
    "c8-w6-z0-relu-rows": (dict(h=6, w=6, cin=8, act_fn="relu", out_zp=-128), 4),
    "c16-w5-z0-stride2-down-odd": (dict(h=13, w=5, cin=16, strides=(2, 1), in_zp=127, out_zp=-128), 4),
    "c8-s22-w6-z0-relu-rows": (dict(h=12, w=12, cin=8, strides=(2, 2), act_fn="relu", out_zp=-128), 4),
    "c12-s2-w5-z0-odd-rows": (dict(h=9, w=10, cin=12, strides=(1, 2), in_zp=-128, out_zp=-128), 4),
    "c8-s22-w4-z0-rows": (dict(h=13, w=8, cin=8, strides=(2, 2), out_zp=-128), 4),
    "c8-w3-z0-rows": (dict(h=6, w=3, cin=8, in_zp=127, out_zp=-128), 4),
    "c8-s2-w3-z0-relu-rows": (dict(h=12, w=6, cin=8, strides=(1, 2), act_fn="relu", out_zp=-128), 4),
    # VWW's 3x3 outputs (3x3 planes; 6x6 at stride 2): the row loops pay where the pair loops did not
    "c8-h3-w3-z0-relu-rows": (dict(h=3, w=3, cin=8, act_fn="relu", out_zp=-128), 4),
    "c8-s22-h6-w3-z0-rows": (dict(h=6, w=6, cin=8, strides=(2, 2), in_zp=127, out_zp=-128), 4),
    # z0 doubles the accumulator: with a folded bias of 2^29 or more the kernel keeps rq 1's loop
    "c4-w5-bias-past-2-to-the-29": (dict(h=10, w=5, cin=4, act_fn="relu", out_zp=-128,
                                         bias=[1 << 29, -(1 << 29), 5, -5]), 1),
}


# cases taking a row loop: the bit of TINYCC_DW_SM_ROWL (1 << (odd width + 2 (stride down - 1) + 4 kind); kind
# 0: 3 output pairs at stride 1 across, 1: 3 at stride 2, 2: 2 at stride 1, 3: 2 at stride 2)
ROWS = {"c12-w6-z0-stride2-down": 4, "c8-w6-rq2-z0-relu": 1, "c8-w5-rq2-z0-shift24": 2, "c8-w5-low-zero-points": 2,
        "c8-w6-z0-relu-rows": 1, "c16-w5-z0-stride2-down-odd": 8, "c8-s22-w6-z0-relu-rows": 64,
        "c12-s2-w5-z0-odd-rows": 32, "c8-w4-z0-relu": 256, "c8-w3-z0-rows": 512, "c8-s2-w4-z0-relu": 4096,
        "c8-s2-w3-z0-relu-rows": 8192, "c8-s22-w4-z0-rows": 16384, "c8-h3-w3-z0-relu-rows": 512,
        "c8-s22-h6-w3-z0-rows": 32768}


def _model(seed, kw):
    """The case's model; a `bias` entry replaces the bias tensor's data."""
    kw = dict(kw)
    bias = kw.pop("bias", None)
    model = tp_case(seed, **kw)
    if bias is None:
        return model
    g = load_tflite(Path("a.tflite"), model)
    t = g.tensors[g.nodes[0].inputs[2]]
    g.tensors[t.name] = dataclasses.replace(t, data=np.array(bias, np.int32))
    return write_tflite(validate(g))


def _graph(name):
    kw, loop = CASES[name]
    model = _model(11, kw)
    g = load_tflite(Path("test.tflite"), model)
    node = g.nodes[0]
    p = ops.require(node.op).prepare(node, g)
    assert emitter._entry(node, g, p) == "tsmall", name
    assert emitter._tsmall_loop(node, g, p) == loop, name
    assert emitter._tsmall_row(node, g, p) == ROWS.get(name, 0), name
    return model, g


def _chain(name):
    """Two 3x3 depthwise nodes of the case one after the other: the second in place over the first's output."""
    kw, _ = CASES[name]
    g = load_tflite(Path("a.tflite"), _model(11, kw))
    second = load_tflite(Path("b.tflite"), _model(12, {**kw, "strides": (1, 1), "n": 1}))
    splice(g, second)
    for o in g.outputs:   # the second node's output takes the first's spatial shape
        g.tensors[o] = dataclasses.replace(g.tensors[o], shape=())
    return write_tflite(validate(g))


@pytest.mark.parametrize("name", ["c8-w7-valid-rq1", "c8-w6-rq2", "c8-s2-w4-z0-relu", "c4-w7-two-images"])
def test_tsmall_shapes_on_host_equal_tflm(name):
    model, _ = _graph(name)
    assert_matches_tflm(model, samples=2, seed=3, c=True, sanitize=True)


@pytest.mark.parametrize("kw", [dict(h=5, w=6, cin=8, act_fn="relu6"),        # clipping
                                dict(h=5, w=6, cin=6),                         # channels not a multiple of 4
                                dict(h=5, w=8, cin=8),                         # 8 columns: tpair's
                                dict(h=5, w=14, cin=8, strides=(2, 2)),        # stride 2, 7 columns: 32 bytes
                                dict(h=3, w=3, cin=8),                         # 3x3 outputs: the set-up
                                dict(h=6, w=6, cin=8, strides=(2, 2)),         # 3x3 outputs from 6x6
                                dict(h=1, w=3, cin=8, out_zp=-128),            # a row loop's single row
                                dict(h=19, w=2, cin=8)])                       # no column pair past column 0
def test_tsmall_refuses_what_it_does_not_handle(kw):
    g = load_tflite(Path("test.tflite"), tp_case(11, **kw))
    node = g.nodes[0]
    p = ops.require(node.op).prepare(node, g)
    assert emitter._tsmall_bytes(node, g, p) == 0 and emitter._entry(node, g, p) != "tsmall", kw


@QEMU
@pytest.mark.parametrize("name", list(CASES))
def test_tsmall_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model, g = _graph(name)
    write_sources(g, tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert "tinycc_depthwise_conv_2d_s8_tsmall(" in src
    assert f"#define TINYCC_DW_SM_ROWL {ROWS.get(name, 0)}\n" in src   # the row loop compiled in where it runs
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)


@QEMU
@pytest.mark.parametrize("name", ["c8-w5-low-zero-points", "c8-w4-z0-relu", "c8-w6-rq2", "c8-w6-z0-relu-rows"])
def test_tsmall_in_place_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model = _chain(name)
    g = load_tflite(Path("test.tflite"), model)
    write_sources(g, tmp_path)
    assert "tinycc_depthwise_conv_2d_s8_tsmall_inplace(" in (tmp_path / "model.c").read_text()
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)

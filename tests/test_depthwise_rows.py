"""The fast depthwise kernel's ring of padded rows (tinycc_dw_s8_rows, kernels/optimised/
depthwise_conv_2d_fast.h: 3x3 packed filter, co a multiple of 4, rows too narrow for the wide-row
kernel) against TF Lite Micro, byte for byte: on the host (the kernel compiles out: the patch path)
and under QEMU on a Cortex-M4 (the ring, its assembly loop without clipping, its C loop with it).

Edge shapes: both requantisation modes (rq 1, and rq 2 from a large output scale), stride 2, valid
padding, one input column (the window wider than the input), two images (the ring forgets the first
image's rows), clipping activations; and a ring node beside one on the patch path."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm
from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w, dw_case
from tests.tflite_builder import act, q, single_op
from tinycc.backends.c.ops import depthwise_conv_2d as emitter
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite


@pytest.fixture(autouse=True)
def _no_tsmall(monkeypatch):
    """These small planes test the fast kernel's ring of rows: tinycc_dw_s8_tsmall would take them."""
    monkeypatch.setattr(emitter, "_tsmall_pays", lambda *a: False)


def rows_case(seed, h, w, cin, strides=(1, 1), same=True, act_fn="none", n=1, out_scale=1.0):
    """A 3x3 depthwise layer; out_scale multiplies the output scale (2^10: shifts past 17, rq 2)."""
    rng = np.random.default_rng(seed)
    x = act("x", (n, h, w, cin), "int8", q(0.02, int(rng.integers(-128, 128))))
    wt, b, w_mean = _quant_w(rng, (1, 3, 3, cin), 3, True, 0.02)
    y = act("y", (), "int8", q(_out_scale(0.02, w_mean, 9) * out_scale, int(rng.integers(-20, 20))))
    attrs = {"strides": strides, "dilations": (1, 1), "activation": act_fn, "depth_multiplier": 1,
             "pads": _pads((h, w), (3, 3), strides, same)}
    return single_op("depthwise_conv_2d", [x, wt, b], y, attrs)


# name: (case arguments, rq mode expected)
CASES = {
    "c8-same": (dict(h=7, w=5, cin=8), 1),
    "c12-same-relu6": (dict(h=5, w=6, cin=12, act_fn="relu6"), 1),
    "c8-stride2": (dict(h=9, w=8, cin=8, strides=(2, 2)), 1),
    "c4-valid-relu": (dict(h=5, w=6, cin=4, same=False, act_fn="relu"), 1),
    "c8-rq2": (dict(h=6, w=4, cin=8, out_scale=2.0 ** 10), 2),
    "c4-one-column-two-images": (dict(h=3, w=1, cin=4, n=2), 1),
}


def _graph(name):
    kw, mode = CASES[name]
    model = rows_case(11, **kw)
    g = load_tflite(Path("test.tflite"), model)
    node = g.nodes[0]
    assert emitter._fast_plan(node, g, ops.require(node.op).prepare(node, g))[3] == mode, name
    assert emitter._rows(node, g, ops.require(node.op).prepare(node, g)), name
    return model, g


@pytest.mark.parametrize("name", list(CASES))
def test_rows_path_on_host_equals_tflm(name):
    model, _ = _graph(name)
    assert_matches_tflm(model, samples=2, seed=3, c=True)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_rows_path_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    model, g = _graph(name)
    write_sources(g, tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert "#define TINYCC_DW_ONLY_ROWS 1" in src and re.search(r"#define TINYCC_DW_ROWS [1-9]", src)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)


def _mixed():
    """A ring node (c8-same) feeding a 5x2 depthwise layer (the patch path): TINYCC_DW_ONLY_ROWS 0, the
    kernel picks per node (tinycc_dw_rows_fit)."""
    g = load_tflite(Path("a.tflite"), rows_case(11, **CASES["c8-same"][0]))
    second = load_tflite(Path("b.tflite"), dw_case(12, h=7, w=5, cin=8, kernel=(5, 2), act_fn="relu"))
    return write_tflite(validate(splice(g, second)))


def splice(g, second):
    """Graph g with the single node of graph `second` appended, fed by g's output (second's other
    tensors renamed b_*); returns g."""
    node = second.nodes[0]
    y, x2 = g.outputs[0], node.inputs[0]
    for name, t in second.tensors.items():
        if name != x2:
            g.tensors["b_" + name] = dataclasses.replace(t, name="b_" + name)
    g.nodes.append(dataclasses.replace(node, name="b", inputs=[y] + ["b_" + i for i in node.inputs[1:]],
                                       outputs=["b_" + o for o in node.outputs]))
    g.outputs = ["b_" + o for o in second.outputs]
    return g


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_ring_beside_the_patch_path_on_qemu_cortex_m4_equals_tflm(tmp_path):
    model = _mixed()
    g = load_tflite(Path("test.tflite"), model)
    write_sources(g, tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert "#define TINYCC_DW_ONLY_ROWS 0" in src and re.search(r"#define TINYCC_DW_ROWS [1-9]", src)
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)

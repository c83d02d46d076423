"""The c backend's Helium (MVE) kernels on a Cortex-M55 under QEMU (mps3-an547) at their edges, against
TF Lite Micro byte for byte: the im2col convolution (mve_conv_cols.h: odd and whole-group depths, group
counts with and without a partial 16-byte chunk, odd output channels, strides, padding, odd output
widths, 1x1, the largest column), the fully connected blocks (mve_fc.h: depths around 16, four- and
two-wide last blocks, several rows) and the depthwise convolution (mve_depthwise.h). Each model holds
several independent operators (one input and output each), so one firmware covers a family of shapes."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.ops.cases._common import conv_out_scale, io_tensor, out_tensor, weights
from tests.ops.check import assert_outputs_equal_tflm, random_inputs
from tests.tflite_builder import const, q, random_scale
from tinycc import cortexm
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.ops.common import same_padding
from tinycc.core.validate import validate

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="the Cortex-M toolchain and QEMU are not installed "
                                       f"(apt-get install {cortexm.PACKAGES})")


def _model(parts: list[tuple[str, list, object, dict]]) -> bytes:
    """One model of independent operators: (op, inputs, output, attrs) each, tensor names made unique."""
    tensors, nodes, ins, outs = {}, [], [], []
    for k, (op, inputs, out, attrs) in enumerate(parts):
        for t in (*inputs, out):
            t.name = f"{t.name}{k}"
            tensors[t.name] = t
        module = ops.get(op)
        node = Node(f"{op}{k}", op, [t.name for t in inputs], [out.name], ops.attrs_with_defaults(module, attrs))
        g = Graph(op, dict(tensors), [node], [], [out.name])
        out.shape = tuple(int(d) for d in module.infer(node, g)[0])
        nodes.append(node)
        ins += [t.name for t in inputs if not t.is_const]
        outs.append(out.name)
    return write_tflite(validate(Graph("mve_edges", tensors, nodes, ins, outs, source="<mve edge test>")))


def _pads(hw, kernel, strides, same):
    if not same:
        return (0, 0, 0, 0)
    (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], 1) for i in (0, 1))
    return (top, left, bottom, right)


def _conv(rng, h, w, ci, co, kernel, strides, same, act="none"):
    x = io_tensor(rng, "int8", (1, h, w, ci))
    wt, b, w_mean = weights(rng, (co, *kernel, ci), "int8", 0, x.quant.s)
    y = out_tensor(rng, "int8", conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1] * ci))
    return ("conv_2d", [x, wt, b], y, {"strides": strides, "dilations": (1, 1), "activation": act,
                                       "pads": _pads((h, w), kernel, strides, same)})


def _fc(rng, rows, depth, units, act="none"):
    x = io_tensor(rng, "int8", (rows, depth))
    w_scale = random_scale(rng, 1e-3, 0.05)
    wt = const("w", rng.integers(-127, 128, (units, depth)).astype(np.int8), q(w_scale, 0))
    b = const("b", rng.integers(-5000, 5000, units).astype(np.int32), q(np.float32(x.quant.s) * np.float32(w_scale), 0))
    y = out_tensor(rng, "int8", conv_out_scale(rng, x, w_scale, depth))
    return ("fully_connected", [x, wt, b], y, {"activation": act})


def _dw(rng, h, w, ci, mult, kernel, strides, same, act="none"):
    x = io_tensor(rng, "int8", (1, h, w, ci))
    wt, b, w_mean = weights(rng, (1, *kernel, ci * mult), "int8", 3, x.quant.s)
    y = out_tensor(rng, "int8", conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1]))
    return ("depthwise_conv_2d", [x, wt, b], y, {"strides": strides, "dilations": (1, 1), "activation": act,
                                                 "depth_multiplier": mult,
                                                 "pads": _pads((h, w), kernel, strides, same)})


def _run_on_m55(model: bytes, tmp_path, needle: str):
    from tinycc.driver import compile_model
    from tinycc.plugins.importers.tflite import load_tflite
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    compile_model(str(path), "c", tmp_path / "out")
    text = (tmp_path / "out" / "model.c").read_text()
    assert needle in text
    built = cortexm.build(tmp_path / "out", "cortex-m55")
    g = load_tflite(path)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(3)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    assert_outputs_equal_tflm(model, xs, cortexm.run(built["elf"], "cortex-m55", xs, layout))


def test_mve_im2col_conv_edges_on_qemu_cortex_m55_equal_tflm(tmp_path):
    """Groups a pixel: 7 (3x3 on RGB: a patch, the flat odd-width path), 18, 5 and 16 (1x1: whole and
    partial chunks), 19 (5x3 on 5 channels, stride (2, 1)), 10 (10x4 on one channel), 144 (the largest
    column, 3x3 on 64 channels); odd output channel counts; same and valid padding; clipping
    activations; an odd pixel count (a lone last pixel)."""
    rng = np.random.default_rng(22)
    parts = [_conv(rng, 9, 9, 3, 5, (3, 3), (2, 2), True, "relu"),
             _conv(rng, 7, 8, 8, 6, (3, 3), (1, 1), True),
             _conv(rng, 3, 5, 20, 7, (1, 1), (1, 1), False, "relu6"),
             _conv(rng, 2, 2, 64, 16, (1, 1), (1, 1), False),
             _conv(rng, 11, 9, 5, 3, (5, 3), (2, 1), False),
             _conv(rng, 12, 6, 1, 4, (10, 4), (2, 2), True),
             _conv(rng, 4, 4, 64, 3, (3, 3), (1, 1), True),
             _conv(rng, 5, 7, 12, 2, (2, 2), (2, 2), True, "relu_n1_to_1")]
    _run_on_m55(_model(parts), tmp_path, "tinycc_conv_2d_s8_cols")


def test_mve_fully_connected_edges_on_qemu_cortex_m55_equal_tflm(tmp_path):
    """Depths 1, 3, 4, 15, 16, 17, 33, 64, 100 (no whole vector, partial last chunks, whole vectors
    only, both); 1 to 8 units (last blocks one, two, three and four wide); one to three rows."""
    rng = np.random.default_rng(23)
    parts = [_fc(rng, 1, 1, 1), _fc(rng, 2, 3, 2, "relu"), _fc(rng, 1, 4, 3), _fc(rng, 3, 15, 5),
             _fc(rng, 1, 16, 4), _fc(rng, 2, 17, 7, "relu6"), _fc(rng, 1, 33, 6), _fc(rng, 2, 64, 8),
             _fc(rng, 1, 100, 1)]
    _run_on_m55(_model(parts), tmp_path, "tinycc_fully_connected_s8_w4")


def test_mve_depthwise_edges_on_qemu_cortex_m55_equal_tflm(tmp_path):
    """3x3 on the packed filter: depths 4, 6, 13 (a partial last group), 64 and 136 (a border patch
    in two channel passes); rows of 3, 5, 8 and 17 pixels (four-pixel passes and single ones); stride
    1 and 2; same and valid padding; clipping activations; and a 5x3 filter and a depth multiplier of 2
    (the other fast and reference paths) beside them."""
    rng = np.random.default_rng(24)
    parts = [_dw(rng, 5, 3, 4, 1, (3, 3), (1, 1), True),
             _dw(rng, 7, 5, 6, 1, (3, 3), (1, 1), True, "relu6"),
             _dw(rng, 9, 17, 13, 1, (3, 3), (2, 2), True, "relu"),
             _dw(rng, 6, 10, 64, 1, (3, 3), (1, 1), False),
             _dw(rng, 4, 8, 136, 1, (3, 3), (1, 1), True),
             _dw(rng, 8, 19, 8, 1, (3, 3), (2, 1), True, "relu_n1_to_1"),
             _dw(rng, 7, 6, 5, 1, (5, 3), (1, 1), True),
             _dw(rng, 6, 6, 3, 2, (3, 3), (1, 1), True)]
    _run_on_m55(_model(parts), tmp_path, "tinycc_depthwise_conv_2d_s8_")

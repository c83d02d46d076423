"""The c backend's Helium (MVE) kernels on a Cortex-M55 under QEMU (mps3-an547) at their edges, against
TF Lite Micro byte for byte: the im2col convolution (mve_conv_cols.h: odd and whole-group depths, group
counts with and without a partial 16-byte chunk, odd output channels, strides, padding, odd output
widths, 1x1, the largest column), the fully connected blocks (mve_fc.h: depths around 16, four- and
two-wide last blocks, several rows), the depthwise convolution (mve_depthwise.h) and int8 ADD / SUB
(mve_elementwise.h). Each model holds
several independent operators (one input and output each), so one firmware covers a family of shapes."""
from __future__ import annotations

import re
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


def _binary(rng, op, shape_a, shape_b, act="none", spread=3.0):
    a, b = io_tensor(rng, "int8", shape_a, "a"), io_tensor(rng, "int8", shape_b, "b")
    if op == "mul":
        scale = float(a.quant.s * b.quant.s * 127 * rng.uniform(0.3, 3))
    else:
        scale = float(max(a.quant.s, b.quant.s) * rng.uniform(0.3, spread))
    return (op, [a, b], out_tensor(rng, "int8", scale), {"activation": act})


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
    """3x3 on the packed filter: depths 4, 6, 13, 21, 33 (a partial last group of 1 to 3 channels), 8,
    12, 20, 64 and 136 (whole groups, not all multiples of 16); rows of 1, 2, 3, 5, 6, 8, 10 and 17 pixels
    (stride 1: three- and two-pixel blocks sharing input columns, with the first column left of the input
    or the last right of it; stride 2: four-pixel blocks and shorter last ones; border pixels alone, a pixel
    with both side columns and both outer rows outside, rows with no interior pixel); strides 1, 2, (2, 1)
    and (1, 2); same padding (one each side, and stride 2 on an even size: none left, one right) and valid;
    clipping activations; and a 5x3 filter and a depth multiplier of 2 (the other fast and reference paths)
    beside them."""
    rng = np.random.default_rng(24)
    parts = [_dw(rng, 5, 3, 4, 1, (3, 3), (1, 1), True),
             _dw(rng, 7, 5, 6, 1, (3, 3), (1, 1), True, "relu6"),
             _dw(rng, 9, 17, 13, 1, (3, 3), (2, 2), True, "relu"),
             _dw(rng, 6, 10, 64, 1, (3, 3), (1, 1), False),
             _dw(rng, 4, 8, 136, 1, (3, 3), (1, 1), True),
             _dw(rng, 8, 19, 8, 1, (3, 3), (2, 1), True, "relu_n1_to_1"),
             _dw(rng, 1, 1, 20, 1, (3, 3), (1, 1), True),
             _dw(rng, 2, 2, 7, 1, (3, 3), (1, 1), True, "relu"),
             _dw(rng, 6, 8, 21, 1, (3, 3), (2, 2), True, "relu6"),
             _dw(rng, 5, 9, 33, 1, (3, 3), (1, 2), False),
             _dw(rng, 4, 6, 12, 1, (3, 3), (1, 1), True, "relu"),
             _dw(rng, 7, 6, 5, 1, (5, 3), (1, 1), True),
             _dw(rng, 6, 6, 3, 2, (3, 3), (1, 1), True)]
    _run_on_m55(_model(parts), tmp_path, "tinycc_depthwise_conv_2d_s8_")


def test_mve_add_sub_edges_on_qemu_cortex_m55_equal_tflm(tmp_path):
    """ADD and SUB of same-shape int8 tensors of 1, 3, 4, 17, 64 and 131 elements (predicated tails,
    whole vectors), output scales below and above the inputs' (rounding both ways, saturation), clipping
    activations; a broadcast ADD and a MUL beside them (the scalar loops, same unit)."""
    rng = np.random.default_rng(25)
    parts = [_binary(rng, "add", (1,), (1,)), _binary(rng, "sub", (3,), (3,), "relu"),
             _binary(rng, "add", (2, 2), (2, 2), spread=0.5), _binary(rng, "add", (1, 17), (1, 17), "relu6"),
             _binary(rng, "sub", (4, 4, 4), (4, 4, 4), spread=0.4), _binary(rng, "add", (131,), (131,)),
             _binary(rng, "add", (1, 8, 8, 16), (1, 8, 8, 16), "relu"), _binary(rng, "add", (3, 5), (1, 5)),
             _binary(rng, "mul", (6,), (6,))]
    _run_on_m55(_model(parts), tmp_path, "tinycc_addsub_s8")


MBQM_HARNESS = r"""
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "model.h"
@KERNELS@
static const int32_t mults[@K@] = {@MULTS@};
static const int32_t shifts[@K@] = {@SHIFTS@};
const size_t model_input_bytes[1] = {4 * @N@};
const size_t model_output_bytes[1] = {4 * @N@ * @K@};
int model_invoke(const void *const inputs[], void *const outputs[]) {
    const int32_t *x = (const int32_t *)inputs[0];
    int32_t *o = (int32_t *)outputs[0];
    int k, i;
#ifndef TINYCC_MVE_ADDSUB
    return 9;          /* not the MVE path: the test is void */
#else
    for (k = 0; k < @K@; ++k)
        for (i = 0; i < @N@; i += 4, o += 4) {
            const int32_t s = shifts[k], l = s > 0 ? s : 0, r = s > 0 ? 0 : -s;
            vstrwq_s32(o, tinycc_mve_mbqm(vldrwq_s32(x + i), mults[k], l, r, r > 0 ? -1 : 0));
        }
    return 0;
#endif
}
"""


def test_mve_multiply_by_quantized_multiplier_on_qemu_cortex_m55(tmp_path):
    """mve_elementwise.h's four-lane MultiplyByQuantizedMultiplier (VSHL, VQRDMULH, the corrected VRSHL)
    against TFLM's arithmetic (tinycc.core.fixedpoint): ties of negative and positive values at every
    right shift (multiplier 2^31 - 1 passes small values through SaturatingRoundingDoublingHighMul
    unchanged), INT32_MIN and INT32_MAX, the saturating INT32_MIN x INT32_MIN, left shifts that wrap."""
    from tinycc.backends.c.kernel_units import read_unit
    from tinycc.core import fixedpoint
    ties = [s * ((k << r) + (1 << (r - 1))) for r in (1, 2, 3, 5, 8) for k in (0, 1, 6) for s in (1, -1)]
    rng = np.random.default_rng(26)
    xs = ([0, 1, -1, 2, -2, 3, -3, 7, -7, 2**31 - 1, -2**31, -2**31 + 1, 2**30, -2**30] + ties +
          rng.integers(-2**31, 2**31, 40).tolist())
    xs += [0] * (-len(xs) % 4)
    mults = [2**31 - 1, 2**30, 1518500250, 1073741825, -2**31]
    shifts = [-31, -20, -8, -5, -3, -2, -1, 0, 1, 4, 12]
    pairs = [(m, s) for m in mults for s in shifts]
    kernels = "\n".join(read_unit(u) for u in ("tinycc_fixedpoint.h", "elementwise.h"))
    (tmp_path / "model.h").write_text(
        "#include <stddef.h>\n#define MODEL_NUM_INPUTS 1\n#define MODEL_NUM_OUTPUTS 1\n"
        f'/* input 0: "x" int32 [{len(xs)}], {4 * len(xs)} bytes */\n'
        f'/* output 0: "y" int32 [{len(pairs)}, {len(xs)}], {4 * len(xs) * len(pairs)} bytes */\n'
        "extern const size_t model_input_bytes[1];\nextern const size_t model_output_bytes[1];\n"
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n")
    text = (MBQM_HARNESS.replace("@KERNELS@", "#include <stdlib.h>\n" + kernels).replace("@N@", str(len(xs)))
            .replace("@K@", str(len(pairs))).replace("@MULTS@", ", ".join(
                "INT32_MIN" if m == -2**31 else str(m) for m, _ in pairs))
            .replace("@SHIFTS@", ", ".join(str(s) for _, s in pairs)))
    (tmp_path / "model.c").write_text(text)
    built = cortexm.build(tmp_path, "cortex-m55")
    x = np.array(xs, np.int32)
    (got,), = cortexm.run(built["elf"], "cortex-m55", [[x]], [((len(pairs), len(xs)), "int32")])
    want = np.array([fixedpoint.multiply_by_quantized_multiplier(x, m, s) for m, s in pairs])
    np.testing.assert_array_equal(np.asarray(got).reshape(len(pairs), len(xs)), fixedpoint.wrap32(want))


def test_mve_fully_connected_whole_blocks_take_helium_on_qemu_cortex_m55(tmp_path):
    """Units and depths multiples of 4 with one multiplier and no activation (fully_connected_w4.h mode 2,
    where the Cortex-M4 takes its row assembly, tinycc_fc_row_asm) run the Helium blocks on the M55: at
    most one instruction per 3 multiply-accumulates (VLD4 + VMLADAVA: about 11 per 64; the DSP row
    loop's 23 per 16 would be 1.4 a MAC), outputs equal to TFLM. The M55 has the DSP extension too, so
    only the MVE build's preprocessor choice keeps it off the assembly rows."""
    from tinycc.driver import compile_model
    from tinycc.plugins.importers.tflite import load_tflite
    rng = np.random.default_rng(31)
    shapes = [(1, 512, 32), (2, 64, 8), (1, 640, 128)]      # rows, depth, units (the last: MLPerf AD's first layer)
    model = _model([_fc(rng, *s) for s in shapes])
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    compile_model(str(path), "c", tmp_path / "out")
    text = (tmp_path / "out" / "model.c").read_text()
    assert text.count("tinycc_fully_connected_s8_w4(") == len(shapes) + 1      # the definition and each call
    assert text.count(", 2, -128, 127);") >= 2                                  # mode 2 (one multiplier, no clip)
    built = cortexm.build(tmp_path / "out", "cortex-m55")
    g = load_tflite(path)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    outs, insns = cortexm.run(built["elf"], "cortex-m55", xs, layout, count=True)
    assert_outputs_equal_tflm(model, xs, outs)
    macs = sum(r * d * u for r, d, u in shapes)
    assert 0 < insns < macs // 3, f"{insns} instructions for {macs} MACs: not the Helium fully connected blocks"


def test_mve_fast_add_sub_take_helium_on_qemu_cortex_m55(tmp_path):
    """Same-shape int8 ADD / SUB whose constants fit the fast path (addsub_s8_fast.h: small functions
    the layers of one loop shape share, ops/_addsub_fast.py) run its Helium loop on the M55: under 6
    instructions an element (four lanes a vector; the scalar SMMLAR loop takes about 14), outputs equal to
    TFLM; SUBs with either input the larger scale (the exact 1/2 first or second), a clipping activation,
    a predicated last vector; an ADD of every pair of int8 inputs."""
    from tinycc.driver import compile_model
    from tinycc.plugins.importers.tflite import load_tflite
    rng = np.random.default_rng(41)
    parts = [_binary(rng, "add", (1, 256, 256), (1, 256, 256)), _binary(rng, "sub", (1001,), (1001,)),
             _binary(rng, "sub", (2, 257), (2, 257), "relu"),
             _binary(rng, "add", (3, 99), (3, 99), "relu6", spread=0.5)]
    model = _model(parts)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    compile_model(str(path), "c", tmp_path / "out")
    text = (tmp_path / "out" / "model.c").read_text()
    functions = re.findall(r"^static void (\w+_addsub_\w+)\(", text, re.M)
    assert text.count("tinycc_addsub_s8_fast(") == len(functions) + 1       # the functions, the definition
    assert sum(text.split("int model_invoke(")[-1].count(f"{f}(") for f in functions) == len(parts)
    built = cortexm.build(tmp_path / "out", "cortex-m55")
    g = load_tflite(path)
    every = np.arange(-128, 128, dtype=np.int8)          # the first ADD: every pair of int8 inputs
    grid = {"a": np.repeat(every, 256), "b": np.tile(every, 256)}
    xs = [[np.resize(grid[n[0]], g.tensors[n].shape) for n in g.inputs], random_inputs(g, np.random.default_rng(1))]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    outs, insns = cortexm.run(built["elf"], "cortex-m55", xs, layout, count=True)
    assert_outputs_equal_tflm(model, xs, outs)
    elements = sum(int(np.prod(p[2].shape)) for p in parts)
    assert 0 < insns < 6 * elements, f"{insns} instructions for {elements} elements: not the Helium loop"

"""Hostile quantisation: every op with quantised arithmetic, at and beyond the edge of what its kernels are
defined for. Two outcomes only (core/quant_limits.py and each op's prepare draw the line):

- beyond the edge (an output scale of 1e-30 that needs a left shift of 100, a softmax beta of 0, a logistic
  input scale of 1e-30, a fused ReLU6 bound beyond int32, a 16x8 bias beyond 2^47): a TinyccError naming the
  tensor or the attribute and its value, exit status 2 from the CLI;
- inside (an output scale of 1e30 or an input scale of 1e-30 that flush the multiplier to zero, a bias of
  INT32_MAX that wraps the int32 sum as TFLM's does, a multiplier needing the largest left shift, 30):
  tinycc's reference and the c backend's C equal TF Lite Micro on random inputs, and the C built with
  -fsanitize=address,undefined -fno-sanitize-recover=all runs clean.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases import HOSTILE_INVALID, HOSTILE_VALID, unchecked_single_op
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

I32_MAX, I32_MIN = (1 << 31) - 1, -(1 << 31)
RNG = np.random.default_rng(7)


def _w(shape, scale, axis=0):
    data = RNG.integers(-127, 128, shape).astype(np.int8)
    return const("w", data, q(scale, np.zeros(np.size(scale), np.int64), axis))


def _bias(n, scale, value=None, dtype=np.int32):
    data = RNG.integers(-500, 500, n) if value is None else np.full(n, value)
    return const("b", data.astype(dtype), q(scale, np.zeros(np.size(scale), np.int64)))


def fc(sx=0.05, sw=0.01, so=0.5, bias=None, act_fn="none", dtype="int8", zp=3, per_channel=False, units=4,
       zp16=(0, 0)):
    x = act("x", (2, 16), dtype, q(sx, zp if dtype == "int8" else zp16[0]))
    scales = np.full(units, sw, np.float32) * (2.0 ** (np.arange(units) % 4) if per_channel else 1)
    scales = scales.astype(np.float32)
    w = _w((units, 16), scales if per_channel else sw)
    b = _bias(units, (np.float32(sx) * scales) if per_channel else np.float32(sx) * np.float32(sw), bias,
              np.int64 if dtype == "int16" else np.int32)
    y = act("y", (), dtype, q(so, -5 if dtype == "int8" else zp16[1]))
    return unchecked_single_op("fully_connected", [x, w, b], y, {"activation": act_fn})


def conv(op="conv_2d", sx=0.05, sw=0.01, so=0.5, bias=None, act_fn="none", dtype="int8", zp=3, zp16=(0, 0)):
    x = act("x", (1, 5, 5, 3), dtype, q(sx, zp if dtype == "int8" else zp16[0]))
    co = 3 if op == "depthwise_conv_2d" else 4
    scales = np.full(co, sw, np.float32) * np.array([1, 3, 0.5, 2][:co], np.float32)
    w = _w((co, 3, 3, 3) if op == "conv_2d" else (1, 3, 3, co), scales, 0 if op == "conv_2d" else 3)
    b = _bias(co, np.float32(sx) * scales, bias, np.int64 if dtype == "int16" else np.int32)
    y = act("y", (), dtype, q(so, -5 if dtype == "int8" else zp16[1]))
    return unchecked_single_op(op, [x, w, b], y, {"activation": act_fn, "pads": (1, 1, 1, 1)})


def binary(op, sa=0.05, sb=0.03, so=0.1, act_fn="none", dtype="int8", zp16=0):
    def zp(v):
        return v if dtype == "int8" else zp16

    a, b = act("a", (2, 3, 4), dtype, q(sa, zp(4))), act("b", (2, 3, 4), dtype, q(sb, zp(-7)))
    return unchecked_single_op(op, [a, b], act("y", (), dtype, q(so, zp(2))), {"activation": act_fn})


def unary(op, sx, so, zpx=0, zpo=0, dtype="int8", out_dtype=None, attrs=None, shape=(3, 10)):
    x = act("x", shape, dtype, q(sx, zpx) if sx is not None else None)
    out_dtype = out_dtype or dtype
    y = act("y", (), out_dtype, q(so, zpo) if so is not None else None)
    return unchecked_single_op(op, [x], y, attrs)


def pool(op, s, act_fn):
    x = act("x", (1, 4, 4, 3), "int8", q(s, 1))
    return unchecked_single_op(op, [x], act("y", (), "int8", q(s, 1)),
                               {"kernel": (2, 2), "strides": (2, 2), "activation": act_fn})


# a multiplier of 2^29..2^30 needs the largest left shift the kernels apply (30)
BIG = 2.0 ** 29 * 1.5

VALID = {
    "fc_out_scale_1e30": lambda: fc(so=1e30),
    "fc_in_scale_1e-30": lambda: fc(sx=1e-30),
    "fc_bias_int32_max": lambda: fc(bias=I32_MAX),
    "fc_bias_int32_min": lambda: fc(bias=I32_MIN),
    "fc_bias_int32_max_zp0": lambda: fc(bias=I32_MAX, zp=0),
    "fc_per_channel_bias_int32_max": lambda: fc(bias=I32_MAX, per_channel=True),
    "fc_shift_30": lambda: fc(sx=2.0 ** -5, sw=2.0 ** -7, so=2.0 ** -12 / BIG),     # bias scale exact
    "fc_relu6_out_scale_1e30": lambda: fc(so=1e30, act_fn="relu6"),
    # the four-unit fast kernel (fully_connected.h) with a last block of 1..3 units and per-unit
    # requantisation (modes 0/1): stores read only the block's four accumulators (fuzz finding F1)
    "fc_fast_7_units_relu6": lambda: fc(units=7, act_fn="relu6"),
    "fc_fast_6_units_per_channel": lambda: fc(units=6, per_channel=True),
    "fc_fast_9_units_shift_0": lambda: fc(units=9, sx=0.5, sw=0.5, so=0.125, act_fn="relu"),
    "fc_int16_out_scale_1e30": lambda: fc(so=1e30, dtype="int16"),
    "fc_int16_bias_2e46": lambda: fc(bias=1 << 46, dtype="int16"),
    "conv_out_scale_1e30": lambda: conv(so=1e30),
    "conv_in_scale_1e-30": lambda: conv(sx=1e-30),
    "conv_bias_int32_max": lambda: conv(bias=I32_MAX),
    "conv_bias_int32_min_zp0": lambda: conv(bias=I32_MIN, zp=0),
    "conv_shift_30": lambda: conv(so=0.05 * 0.01 * 3 / BIG),
    "conv_relu_n1_to_1_small_out": lambda: conv(so=1e-9, act_fn="relu_n1_to_1"),
    "conv_int16_out_scale_1e30": lambda: conv(so=1e30, dtype="int16"),
    "conv_int16_shift_7": lambda: conv(so=0.05 * 0.01 * 3 / 100, dtype="int16"),
    "conv_int16_bias_2e46": lambda: conv(bias=1 << 46, dtype="int16"),
    "dw_out_scale_1e30": lambda: conv("depthwise_conv_2d", so=1e30),
    "dw_in_scale_1e-30": lambda: conv("depthwise_conv_2d", sx=1e-30),
    "dw_bias_int32_max": lambda: conv("depthwise_conv_2d", bias=I32_MAX),
    "dw_bias_int32_max_zp0": lambda: conv("depthwise_conv_2d", bias=I32_MAX, zp=0),
    "dw_shift_30": lambda: conv("depthwise_conv_2d", so=0.05 * 0.01 * 3 / BIG),
    "add_out_scale_1e30": lambda: binary("add", so=1e30),
    "add_in_scale_1e-30": lambda: binary("add", sa=1e-30),
    "add_out_factor_just_below_1": lambda: binary("add", so=2 * 0.05 / 2 ** 20 * 1.0001),
    "add_int16_out_scale_1e30": lambda: binary("add", so=1e30, dtype="int16"),
    "sub_out_scale_1e30": lambda: binary("sub", so=1e30),
    "sub_out_factor_just_below_1": lambda: binary("sub", so=2 * 0.05 / 2 ** 15 * 1.0001, dtype="int16"),
    "mul_out_scale_1e30": lambda: binary("mul", so=1e30),
    "mul_in_scale_1e-30": lambda: binary("mul", sa=1e-30),
    "mul_shift_30": lambda: binary("mul", so=0.05 * 0.03 / BIG),
    "mul_int16_shift_30": lambda: binary("mul", so=0.05 * 0.03 / BIG, dtype="int16"),
    "avg_pool_scale_1e30_relu6": lambda: pool("average_pool_2d", 1e30, "relu6"),
    "max_pool_scale_1e-8_relu6": lambda: pool("max_pool_2d", 1e-8, "relu6"),
    "softmax_in_scale_1e30": lambda: unary("softmax", 1e30, 1 / 256, zpo=-128, attrs={"beta": 1.0}),
    "softmax_tiny_beta": lambda: unary("softmax", 0.1, 1 / 256, zpo=-128, attrs={"beta": 2e-7}),
    "softmax_huge_beta": lambda: unary("softmax", 0.1, 1 / 256, zpo=-128, attrs={"beta": 1e30}),
    "logistic_in_scale_2^-28": lambda: unary("logistic", 2.0 ** -28, 1 / 256, zpo=-128),
    "logistic_in_scale_1e10": lambda: unary("logistic", 1e10, 1 / 256, zpo=-128),
    "tanh_in_scale_2^-28": lambda: unary("tanh", 2.0 ** -28, 1 / 128),
    "tanh_in_scale_1e10": lambda: unary("tanh", 1e10, 1 / 128),
    "leaky_relu_alpha_1e-30": lambda: unary("leaky_relu", 0.1, 0.1, 3, -2, attrs={"alpha": 1e-30}),
    "leaky_relu_out_scale_1e30": lambda: unary("leaky_relu", 0.1, 1e30, 3, -2, attrs={"alpha": 0.2}),
    "leaky_relu_int16_shift_30": lambda: unary("leaky_relu", 1.0, 1 / BIG, dtype="int16", attrs={"alpha": 0.5}),
    "relu_int16_shift_30": lambda: unary("relu", 1.0, 1 / BIG, dtype="int16"),
    "relu_out_scale_1e30": lambda: unary("relu", 0.1, 1e30, 3, -2),
    "mean_out_scale_1e30": lambda: unary("mean", 0.1, 1e30, 3, -2, attrs={"axes": (1,)}),
    "mean_in_scale_1e-30": lambda: unary("mean", 1e-30, 0.1, 3, -2, attrs={"axes": (1,)}),
    "mean_int16_shift_30": lambda: unary("mean", 1.0, 1 / BIG, dtype="int16", attrs={"axes": (1,)}),
    "requantize_shift_30": lambda: unary("quantize", 1.0, 1 / BIG, 3, -2),
    "requantize_int16_to_int8_1e30": lambda: unary("quantize", 1e-30, 1e30, dtype="int16", out_dtype="int8"),
    "quantize_float_out_scale_1e30": lambda: unary("quantize", None, 1e30, zpo=5, dtype="float32",
                                                   out_dtype="int8"),
    "dequantize_scale_1e30": lambda: unary("dequantize", 1e30, None, 3, dtype="int8", out_dtype="float32"),
    "dequantize_scale_1e-30": lambda: unary("dequantize", 1e-30, None, 3, dtype="int8", out_dtype="float32"),
    "concatenation_scale_1e30": lambda: unchecked_single_op(
        "concatenation", [act("a", (2, 3), "int8", q(1e30, 7)), act("b", (2, 2), "int8", q(1e30, 7))],
        act("y", (), "int8", q(1e30, 7)), {"axis": 1}),
    "pad_scale_1e-30": lambda: unary("pad", 1e-30, 1e-30, 9, 9, attrs={"paddings": ((1, 0), (0, 2))}),
    # int16 with a zero point TFLM accepts (fuzz F13): PAD fills int16 with 0 whatever the zero point
    "pad_int16_zp_5": lambda: unary("pad", 0.1, 0.1, 5, 5, dtype="int16", attrs={"paddings": ((1, 0), (0, 2))}),
    "add_int16_zp_5": lambda: binary("add", dtype="int16", zp16=5),
    "relu6_int16_zp_5": lambda: unary("relu6", 0.01, 0.01, 5, 5, dtype="int16"),
    "leaky_relu_int16_zp_5": lambda: unary("leaky_relu", 0.01, 0.02, 5, -3, dtype="int16", attrs={"alpha": 0.2}),
    **HOSTILE_VALID,       # the operators' own cases (tests/ops/cases/<op>.py)
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_extremes_equal_tflm_and_run_clean_under_sanitizers(case):
    model = VALID[case]()
    assert_matches_tflm(model, samples=3, seed=11, float_tol=1e-5, sanitize=True)


# (model, words the message must contain: the tensor or attribute, and the value)
INVALID = {
    "fc_out_scale_1e-30": (lambda: fc(so=1e-30, bias=None), ["'b'", "scale"]),
    "fc_per_channel_out_scale_1e-30": (lambda: fc(so=1e-30, per_channel=True), ["'y'", "1e-30", "shift"]),
    "fc_relu6_out_scale_1e-12": (lambda: fc(so=2e-10 * 1, act_fn="relu6", per_channel=True), ["'y'", "relu6"]),
    "fc_int16_bias_2^50": (lambda: fc(bias=1 << 50, dtype="int16"), ["'b'", str(1 << 50)]),
    "fc_int16_shift_8": (lambda: fc(so=0.05 * 0.01 / 200, dtype="int16"), ["'y'", "shift of 8"]),
    "conv_out_scale_1e-30": (lambda: conv(so=1e-30), ["'x'", "'w'", "'y'", "1e-30"]),
    "conv_in_scale_1e30": (lambda: conv(sx=1e30), ["'x'", "1e+30"]),
    "conv_relu6_out_scale_1e-12": (lambda: conv(so=1e-12, act_fn="relu6"), ["'y'", "relu6"]),
    "conv_int16_bias_2^50": (lambda: conv(bias=1 << 50, dtype="int16"), ["'b'", str(1 << 50)]),
    "dw_out_scale_1e-30": (lambda: conv("depthwise_conv_2d", so=1e-30), ["'y'", "1e-30"]),
    "add_out_scale_1e-30": (lambda: binary("add", so=1e-30), ["'y'", "1e-30"]),
    "add_out_factor_1": (lambda: binary("add", so=2 * 0.05 / 2 ** 20), ["'y'", "(0, 1)"]),
    "sub_out_scale_1e-30": (lambda: binary("sub", so=1e-30), ["'y'", "1e-30"]),
    "mul_out_scale_1e-30": (lambda: binary("mul", so=1e-30), ["'a'", "'b'", "'y'", "1e-30"]),
    "max_pool_relu6_scale_1e-30": (lambda: pool("max_pool_2d", 1e-30, "relu6"), ["'y'", "relu6"]),
    "softmax_beta_0": (lambda: unary("softmax", 0.1, 1 / 256, zpo=-128, attrs={"beta": 0.0}), ["beta", "0"]),
    "softmax_beta_-1": (lambda: unary("softmax", 0.1, 1 / 256, zpo=-128, attrs={"beta": -1.0}), ["beta", "-1"]),
    "softmax_beta_nan": (lambda: unary("softmax", 0.1, 1 / 256, zpo=-128, attrs={"beta": float("nan")}),
                         ["beta", "nan"]),
    "softmax_beta_inf": (lambda: unary("softmax", 0.1, 1 / 256, zpo=-128, attrs={"beta": float("inf")}),
                         ["beta", "inf"]),
    "softmax_float_beta_0": (lambda: unary("softmax", None, None, dtype="float32", attrs={"beta": 0.0}),
                             ["beta", "0"]),
    "softmax_in_scale_1e-30": (lambda: unary("softmax", 1e-30, 1 / 256, zpo=-128, attrs={"beta": 1.0}),
                               ["'x'", "1e-30"]),
    "logistic_in_scale_1e-30": (lambda: unary("logistic", 1e-30, 1 / 256, zpo=-128), ["'x'", "1e-30"]),
    "logistic_in_scale_1e30": (lambda: unary("logistic", 1e30, 1 / 256, zpo=-128), ["'x'", "1e+30"]),
    "tanh_in_scale_1e-9": (lambda: unary("tanh", 1e-9, 1 / 128), ["'x'", "1e-09"]),
    "leaky_relu_alpha_nan": (lambda: unary("leaky_relu", 0.1, 0.1, attrs={"alpha": float("nan")}), ["alpha", "nan"]),
    "leaky_relu_alpha_1e30": (lambda: unary("leaky_relu", 0.1, 0.1, dtype="int16", attrs={"alpha": 1e30}),
                              ["alpha", "1e+30"]),
    "relu_out_scale_1e-30": (lambda: unary("relu", 0.1, 1e-30, dtype="int16"), ["'y'", "1e-30"]),
    "mean_out_scale_1e-30": (lambda: unary("mean", 0.1, 1e-30, attrs={"axes": (1,)}), ["'y'", "1e-30"]),
    "requantize_out_scale_1e-30": (lambda: unary("quantize", 0.1, 1e-30, dtype="int16"), ["'x'", "'y'", "1e-30"]),
    # input scales 3.4e38 / 1e30 against an output scale of 1e-30 (fuzz F3: UBSan shift exponent, wrong output)
    "sub_int16_in_scale_3.4e38": (lambda: binary("sub", sa=3.4e38, so=1e-30, dtype="int16"), ["(0, 1)"]),
    "sub_in_scale_1e30": (lambda: binary("sub", sb=1e30), ["'y'", "(0, 1)"]),
    "mul_int16_in_scale_1e30": (lambda: binary("mul", sa=1e30, so=1e-30, dtype="int16"), ["'a'", "1e+30", "shift"]),
    # alpha's factor beyond the kernels' shift (fuzz F8: reference and C -97, TFLM -128)
    "leaky_relu_int8_alpha_1e30": (lambda: unary("leaky_relu", 0.0445, 0.0817, 3, -2, attrs={"alpha": 1e30}),
                                   ["alpha", "1e+30"]),
    # int16 zero points TFLM's kernels refuse (MUL, RELU, CONCATENATION) or do not apply (16x8) (fuzz F13)
    "mul_int16_zp_5": (lambda: binary("mul", dtype="int16", zp16=5), ["'a'", "zero point 5", "MUL"]),
    "relu_int16_out_zp_5": (lambda: unary("relu", 0.01, 0.01, 0, 5, dtype="int16"), ["'y'", "zero point 5", "RELU"]),
    "concatenation_int16_zp_5": (lambda: unchecked_single_op(
        "concatenation", [act("a", (2, 3), "int16", q(0.1, 5)), act("b", (2, 2), "int16", q(0.1, 5))],
        act("y", (), "int16", q(0.1, 5)), {"axis": 1}), ["'y'", "zero point 5", "CONCATENATION"]),
    "conv_int16_in_zp_5": (lambda: conv(dtype="int16", zp16=(5, 0)), ["'x'", "zero point 5"]),
    "dw_int16_out_zp_5": (lambda: conv("depthwise_conv_2d", dtype="int16", zp16=(0, 5)), ["'y'", "zero point 5"]),
    "fc_int16_in_zp_-7": (lambda: fc(dtype="int16", zp16=(-7, 0)), ["'x'", "zero point -7"]),
    **HOSTILE_INVALID,
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_quantisation_is_a_clear_error(case):
    build, words = INVALID[case]
    with pytest.raises(TinyccError) as err:
        load_tflite(Path(f"{case}.tflite"), build())
    text = err.value.render()
    assert f"{case}.tflite" in text and "node " in text, text
    for word in words:
        assert word in text, f"{word!r} not in: {text}"


@pytest.mark.parametrize("case", ["softmax_beta_0", "logistic_in_scale_1e-30", "conv_out_scale_1e-30"])
def test_cli_exit_status_2_and_no_output(case, tmp_path):
    model = tmp_path / f"{case}.tflite"
    model.write_bytes(INVALID[case][0]())
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert case in proc.stdout + proc.stderr
    assert not out.exists()


def qdq_conv(tmp_path, bias=(-339, -489), ws=(0.01, 0.02), xz=0, bs=None) -> Path:
    """An ONNX QDQ int8 convolution (2 channels, 3x3, relu, per-channel weights) written to tmp_path."""
    onnx = pytest.importorskip("onnx", reason="the ONNX importer's tests need the onnx extra")
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(2)

    def init(name, arr, dtype=np.float32):
        return numpy_helper.from_array(np.asarray(arr, dtype=dtype), name)

    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="xq"),
             helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="xd"),
             helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wdq"], name="wd", axis=0),
             helper.make_node("DequantizeLinear", ["bq", "bs"], ["bdq"], name="bd"),
             helper.make_node("Conv", ["xd", "wdq", "bdq"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("QuantizeLinear", ["r", "ys", "yz"], ["yq"], name="yq"),
             helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="yd")]
    inits = [init("xs", 0.02), init("xz", xz, np.int8), init("wq", rng.integers(-127, 128, (2, 3, 3, 3)), np.int8),
             init("ws", ws), init("wz", [0, 0], np.int8), init("bq", bias, np.int32),
             init("bs", 0.02 * np.asarray(ws, np.float32) if bs is None else bs), init("ys", 0.05),
             init("yz", -128, np.int8)]
    graph = helper.make_graph(nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8])], inits)
    path = tmp_path / "qdq.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("bias,xz", [((I32_MIN, I32_MIN), 0), ((I32_MAX, I32_MAX), 0), ((I32_MIN, I32_MAX), 5)])
def test_onnx_qdq_conv_bias_at_int32_limits_wraps_as_tflm(tmp_path, bias, xz):
    """Fuzz finding F2: an ONNX QDQ conv whose int32 bias is INT32_MIN / INT32_MAX folds to an int8 conv
    whose sums wrap as TFLM's do (the fast kernels step aside): equal TFLM, clean under ASan+UBSan."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.driver import load_model, optimize_model
    g = optimize_model(load_model(qdq_conv(tmp_path, bias=bias, xz=xz)))
    assert "conv_2d" in [n.op for n in g.nodes if g.tensors[n.outputs[0]].dtype == "int8"]
    assert_matches_tflm(write_tflite(g), samples=3, seed=3, float_tol=1e-5, sanitize=True)


def test_onnx_qdq_weight_scale_beyond_float32_is_refused(tmp_path):
    """Fuzz finding F11: a weight scale of 3.4e38 dequantises the weights beyond float32 (TFLM and the
    reference then disagree on the infinities): refused, naming the tensor, its scale and the value."""
    from tinycc.driver import load_model, optimize_model
    with pytest.raises(TinyccError) as err:
        optimize_model(load_model(qdq_conv(tmp_path, ws=(3.4e38, 0.02), bs=(0.0002, 0.0004))))
    text = err.value.render()
    assert "qdq.onnx" in text and "'wdq" in text and "3.4e+38" in text and "beyond float32" in text, text

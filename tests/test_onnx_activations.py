"""ONNX activations, reductions and elementwise operators on whole models (issue 18).

torch-exported models (HardSwish, HardSigmoid, GELU through Erf, PRelu, Elu, Selu, LogSoftmax,
Softmax) after a convolution, so the activation meets an NHWC-held tensor: tinycc's reference
interpreter (and, for the chain of all of them, the `c` backend) within 1e-4 relative (atol 1e-6)
of onnxruntime. Models built with onnx's helpers check what the node cases do not: Softmax and
ArgMax on every axis of a 4-D activation, Clip bounds given or computed, comparisons feeding Where
on an NCHW activation, the composed Erf against math.erf, and the clear refusals.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.c_build import run_c_model  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402
from tinycc.plugins.importers.onnx_ops import _erf  # noqa: E402

RTOL, ATOL = 1e-4, 1e-6


def onnxruntime(path, xs):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {i.name: x for i, x in zip(sess.get_inputs(), xs)})


def torch_export(module, path, shape=(1, 3, 8, 8), opset=17):
    torch = pytest.importorskip("torch", reason="torch is not installed (the torch-exported model tests need it)")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(shape[1], 4, 3, padding=1), module).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randn(*shape),), str(path), opset_version=opset, dynamo=False,
                          input_names=["x"], output_names=["y"])
    return path


def sample(shape=(1, 3, 8, 8), seed=1):
    return np.random.default_rng(seed).normal(scale=2.0, size=shape).astype(np.float32)


def torch_modules():
    torch = pytest.importorskip("torch", reason="torch is not installed (the torch-exported model tests need it)")
    nn = torch.nn
    return {"hardswish": (nn.Hardswish(), "HardSwish", "hard_swish"),
            "hardsigmoid": (nn.Hardsigmoid(), "HardSigmoid", "minimum"),
            "gelu": (nn.GELU(), "Erf", "div"),
            "gelu_tanh": (nn.GELU(approximate="tanh"), "Tanh", "tanh"),
            "prelu": (nn.PReLU(4, init=0.1), "PRelu", "prelu"),
            "elu": (nn.ELU(), "Elu", "elu"),
            "elu_alpha": (nn.ELU(alpha=0.3), "Elu", "elu"),
            "selu": (nn.SELU(), "Selu", "elu"),
            "log_softmax_channels": (nn.LogSoftmax(dim=1), "LogSoftmax", "log_softmax"),
            "log_softmax_height": (nn.LogSoftmax(dim=2), "LogSoftmax", "log_softmax"),
            "softmax_width": (nn.Softmax(dim=3), "Softmax", "softmax")}


ACTIVATIONS = ("hardswish", "hardsigmoid", "gelu", "gelu_tanh", "prelu", "elu", "elu_alpha", "selu",
               "log_softmax_channels", "log_softmax_height", "softmax_width")


@pytest.mark.parametrize("which", ACTIVATIONS)
def test_torch_exported_activation_matches_onnxruntime(which, tmp_path):
    module, onnx_op, core_op = torch_modules()[which]
    path = torch_export(module, tmp_path / f"{which}.onnx")
    assert onnx_op in {n.op_type for n in onnx.load(str(path)).graph.node}     # what torch emits
    g = load_onnx(path)
    assert core_op in {n.op for n in g.nodes}
    if which == "prelu":      # the slope (4, 1, 1) is permuted for the NHWC-held convolution output
        slope = next(g.tensors[n.inputs[1]] for n in g.nodes if n.op == "prelu")
        assert slope.shape == (1, 1, 1, 4)
    for seed in range(3):
        x = sample(seed=seed)
        np.testing.assert_allclose(interpreter.run(g, [x])[0], onnxruntime(path, [x])[0], rtol=RTOL, atol=ATOL)


def test_chain_of_torch_activations_in_the_c_backend(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed (the torch-exported model tests need it)")
    nn = torch.nn
    chain = nn.Sequential(nn.PReLU(4, init=0.2), nn.Hardswish(), nn.GELU(), nn.ELU(alpha=0.7), nn.Hardsigmoid(),
                          nn.LogSoftmax(dim=2))
    path = torch_export(chain, tmp_path / "chain.onnx")
    g = load_onnx(path)
    x = sample()
    want = onnxruntime(path, [x])[0]
    np.testing.assert_allclose(interpreter.run(g, [x])[0], want, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(run_c_model(g, [x])[0].reshape(want.shape), want, rtol=RTOL, atol=ATOL)


# ---- models built with onnx's helpers ----
def save(path, nodes, inputs, outputs, inits=(), opset=17):
    graph = helper.make_graph(nodes, "m", inputs, outputs, [numpy_helper.from_array(a, n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def fvi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def after_conv(path, nodes, outputs, inits=(), opset=17, extra_inputs=()):
    """x (1, 3, 5, 6) -> Conv (4 channels, 1x1) -> `nodes` (reading "c"): the operator meets an
    NHWC-held activation."""
    w = np.random.default_rng(7).normal(size=(4, 3, 1, 1)).astype(np.float32)
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    return save(path, [conv, *nodes], [fvi("x", [1, 3, 5, 6]), *extra_inputs], outputs,
                [("w", w), *inits], opset)


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1])
def test_softmax_on_any_axis_of_a_4d_activation(op, axis, tmp_path):
    path = after_conv(tmp_path / "s.onnx", [helper.make_node(op, ["c"], ["y"], axis=axis)],
                      [fvi("y", [1, 4, 5, 6])])
    g = load_onnx(path)
    transposes = sum(n.op == "transpose" for n in g.nodes)
    assert transposes == (2 if axis == 1 else 4)        # the layout pair, plus two around a non-innermost axis
    x = sample((1, 3, 5, 6))
    np.testing.assert_allclose(interpreter.run(g, [x])[0], onnxruntime(path, [x])[0], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("op", ["ArgMax", "ArgMin"])
@pytest.mark.parametrize("axis,keepdims", [(1, 1), (1, 0), (2, 1), (2, 0), (-1, 1), (0, 0)])
def test_argmax_on_a_4d_activation(op, axis, keepdims, tmp_path):
    shape = [1, 4, 5, 6]
    out = [d for k, d in enumerate(shape) if k != axis % 4] if not keepdims else \
        [1 if k == axis % 4 else d for k, d in enumerate(shape)]
    path = after_conv(tmp_path / "a.onnx", [helper.make_node(op, ["c"], ["y"], axis=axis, keepdims=keepdims)],
                      [helper.make_tensor_value_info("y", TensorProto.INT64, out)])
    g = load_onnx(path)
    x = sample((1, 3, 5, 6))
    got = interpreter.run(g, [x])[0]
    np.testing.assert_array_equal(got.reshape(out), onnxruntime(path, [x])[0])


def test_argmax_select_last_index_is_refused(tmp_path):
    path = after_conv(tmp_path / "a.onnx", [helper.make_node("ArgMax", ["c"], ["y"], axis=1, select_last_index=1)],
                      [helper.make_tensor_value_info("y", TensorProto.INT64, [1, 1, 5, 6])])
    with pytest.raises(TinyccError, match="select_last_index=1") as info:
        load_onnx(path)
    assert info.value.op == "ArgMax" and "first index" in (info.value.hint or "")


@pytest.mark.parametrize("bounds", [(None, 0.5), (-0.5, None), (-1.0, 1.0), (0.0, 6.0), (0.0, None), (1.0, -1.0),
                                    (None, None)])
def test_clip_with_constant_bounds_on_a_4d_activation(bounds, tmp_path):
    lo, hi = bounds
    inits = [(n, np.array(v, np.float32)) for n, v in (("lo", lo), ("hi", hi)) if v is not None]
    node = helper.make_node("Clip", ["c", "lo" if lo is not None else "", "hi" if hi is not None else ""], ["y"])
    path = after_conv(tmp_path / "c.onnx", [node], [fvi("y", [1, 4, 5, 6])], inits)
    g = load_onnx(path)
    x = sample((1, 3, 5, 6))
    np.testing.assert_allclose(interpreter.run(g, [x])[0], onnxruntime(path, [x])[0], rtol=RTOL, atol=ATOL)
    if bounds == (0.0, 6.0):
        assert "relu6" in [n.op for n in g.nodes]


def test_clip_with_bounds_the_model_computes(tmp_path):
    nodes = [helper.make_node("ReduceMin", ["c"], ["lo"], keepdims=0),
             helper.make_node("Neg", ["lo"], ["hi"]),
             helper.make_node("Clip", ["c", "lo", "hi"], ["y"])]
    path = after_conv(tmp_path / "c.onnx", nodes, [fvi("y", [1, 4, 5, 6])], opset=17)
    g = load_onnx(path)
    x = sample((1, 3, 5, 6))
    np.testing.assert_allclose(interpreter.run(g, [x])[0], onnxruntime(path, [x])[0], rtol=RTOL, atol=ATOL)


def test_nan_clip_bound_is_refused(tmp_path):
    node = helper.make_node("Clip", ["c", "lo"], ["y"])
    path = after_conv(tmp_path / "c.onnx", [node], [fvi("y", [1, 4, 5, 6])], [("lo", np.array(np.nan, np.float32))])
    with pytest.raises(TinyccError, match="Clip min is NaN"):
        load_onnx(path)


def test_comparison_and_where_on_a_4d_activation(tmp_path):
    zero = np.zeros((4, 1, 1), np.float32)
    nodes = [helper.make_node("Greater", ["c", "zero"], ["pos"]),
             helper.make_node("Neg", ["c"], ["negc"]),
             helper.make_node("Where", ["pos", "c", "negc"], ["abs"]),
             helper.make_node("LessOrEqual", ["c", "zero"], ["nonpos"]),
             helper.make_node("Not", ["nonpos"], ["pos2"]),
             helper.make_node("And", ["pos", "pos2"], ["y"])]
    path = after_conv(tmp_path / "w.onnx", nodes, [fvi("abs", [1, 4, 5, 6]),
                                                   helper.make_tensor_value_info("y", TensorProto.BOOL, [1, 4, 5, 6])],
                      [("zero", zero)])
    g = load_onnx(path)
    x = sample((1, 3, 5, 6))
    got, want = interpreter.run(g, [x]), onnxruntime(path, [x])
    np.testing.assert_allclose(got[0], want[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(got[1].reshape(want[1].shape), want[1])
    assert g.tensors[g.outputs[1]].dtype == "bool"


@pytest.mark.parametrize("op", ["ReduceMax", "ReduceMin", "ReduceSum", "ReduceMean"])
@pytest.mark.parametrize("axes,keepdims", [([1], 1), ([2, 3], 0), ([], 1)])
def test_reductions_with_axes_as_input_opset18(op, axes, keepdims, tmp_path):
    node = helper.make_node(op, ["c", "axes"], ["y"], keepdims=keepdims)
    path = after_conv(tmp_path / "r.onnx", [node], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                      [("axes", np.array(axes, np.int64))], opset=18)
    g = load_onnx(path)
    x = sample((1, 3, 5, 6))
    want = onnxruntime(path, [x])[0]
    np.testing.assert_allclose(interpreter.run(g, [x])[0].reshape(want.shape), want, rtol=RTOL, atol=1e-5)


@pytest.mark.parametrize("exponent,core", [(2.0, "square"), (0.5, "sqrt"), (-1.0, "div"), (3.0, "mul"),
                                           (-0.5, "rsqrt")])
def test_pow_with_a_constant_exponent(exponent, core, tmp_path):
    nodes = [helper.make_node("Abs", ["c"], ["a"]), helper.make_node("Pow", ["a", "e"], ["y"])]
    path = after_conv(tmp_path / "p.onnx", nodes, [fvi("y", [1, 4, 5, 6])], [("e", np.array(exponent, np.float32))])
    g = load_onnx(path)
    assert core in [n.op for n in g.nodes]
    x = sample((1, 3, 5, 6))
    np.testing.assert_allclose(interpreter.run(g, [x])[0], onnxruntime(path, [x])[0], rtol=RTOL, atol=ATOL)


def test_pow_with_another_exponent_is_refused(tmp_path):
    path = after_conv(tmp_path / "p.onnx", [helper.make_node("Pow", ["c", "e"], ["y"], name="my_pow")],
                      [fvi("y", [1, 4, 5, 6])], [("e", np.array(1.7, np.float32))])
    with pytest.raises(TinyccError, match="exponent 1.7 is not supported") as info:
        load_onnx(path)
    assert info.value.node == "my_pow" and "0.5" in (info.value.hint or "")


def test_max_min_are_variadic_and_broadcast(tmp_path):
    b = np.linspace(-1, 1, 6, dtype=np.float32)
    nodes = [helper.make_node("Max", ["c", "b", "x2"], ["m"]), helper.make_node("Min", ["m", "b"], ["y"])]
    path = after_conv(tmp_path / "m.onnx", nodes, [fvi("y", [1, 4, 5, 6])], [("b", b)],
                      extra_inputs=[fvi("x2", [1, 1, 5, 1])])
    g = load_onnx(path)
    assert [n.op for n in g.nodes].count("maximum") == 2
    xs = [sample((1, 3, 5, 6)), sample((1, 1, 5, 1), seed=2)]
    np.testing.assert_allclose(interpreter.run(g, xs)[0], onnxruntime(path, xs)[0], rtol=RTOL, atol=ATOL)


def test_composed_erf_is_within_5e_7_relative_of_math_erf(tmp_path):
    x = np.concatenate([np.linspace(-6, 6, 4001), np.geomspace(1e-30, 1, 200), -np.geomspace(1e-30, 1, 200),
                        [0.0]]).astype(np.float32)
    exact = np.array([math.erf(float(v)) for v in x])
    path = save(tmp_path / "erf.onnx", [helper.make_node("Erf", ["x"], ["y"])], [fvi("x", [x.size])],
                [fvi("y", [x.size])])
    g = load_onnx(path)
    got = interpreter.run(g, [x])[0].astype(np.float64)
    np.testing.assert_array_equal(got, _erf.erf_numpy(x))          # the graph is the documented arithmetic
    assert np.max(np.abs(got - exact) / np.maximum(np.abs(exact), 1e-38)) < 5e-7
    assert got[-1] == 0.0


def test_many_supported_and_two_unsupported_operators_are_one_error(tmp_path):
    nodes = [helper.make_node("HardSwish", ["c"], ["h"]), helper.make_node("Erf", ["h"], ["e"]),
             helper.make_node("Hardmax", ["e"], ["m"], name="hm"), helper.make_node("Softplus", ["m"], ["s"]),
             helper.make_node("Hardmax", ["s"], ["y"])]
    path = after_conv(tmp_path / "u.onnx", nodes, [fvi("y", [1, 4, 5, 6])])
    with pytest.raises(TinyccError) as info:
        load_onnx(path)
    text = info.value.render()
    assert "ONNX operators not supported: Hardmax x2 (first: 'hm'), Softplus x1 (first: 's')" in text, text
    assert text.count("not supported") == 1 and info.value.op == "Hardmax, Softplus"   # Erf, HardSwish are taken

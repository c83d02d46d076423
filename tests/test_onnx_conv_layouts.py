"""ONNX convolution family, built with onnx.helper: 1-D layout bookkeeping, exact nearest resizes
and clear refusals.

A 1-D activation is held as (N, 1, W, C) between 1-D layers; these models hand it to operators
that need ONNX's (N, C, W) (Transpose, Softmax, Concat, Reshape, a graph output) and to
elementwise ones with constants shaped for (N, C, W), and compare with onnxruntime. A nearest
Resize that TF Lite's kernel cannot express (round_prefer_ceil) runs as GATHERs, exactly, in
float and int8 (C == reference == TF Lite Micro). Attribute combinations tinycc cannot do exactly
are refused naming the node and the attribute.
"""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.driver import optimize_model, quantize_model  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402


def model(path, nodes, inputs, outputs, inits=(), opset=17):
    rng = np.random.default_rng(0)
    tensors = [numpy_helper.from_array(v if isinstance(v, np.ndarray) and v.dtype != np.float64 else
                                       np.asarray(rng.normal(0, 0.5, v) if isinstance(v, tuple) else v, np.float32),
                                       k) for k, v in inits]
    graph = helper.make_graph(nodes, "m", [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs], tensors)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))
    return path


def compare(path, shapes, tmp_path, tol=1e-5):
    g = optimize_model(load_onnx(path))
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=s).astype(np.float32) for s in shapes]
    session = ort.InferenceSession(str(path))
    expected = session.run(None, {i.name: x for i, x in zip(session.get_inputs(), xs)})
    ref = interpreter.run(g, xs)
    c_out = run_exe(build(g, tmp_path), g, [xs])[0]
    for k, e in enumerate(expected):
        np.testing.assert_allclose(ref[k].reshape(e.shape), e, rtol=tol, atol=tol)
        np.testing.assert_allclose(c_out[k].reshape(e.shape), e, rtol=tol, atol=tol)
    return g


def test_1d_activation_reaches_layout_sensitive_operators(tmp_path):
    """Conv1d's (N, 1, W, C) output feeds a Transpose, a Softmax over time, a Concat with the
    input, a Reshape, an Add of a (C, 1) constant and is itself a graph output."""
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1]),
             helper.make_node("Add", ["c", "bias_c1"], ["a"]),
             helper.make_node("Relu", ["a"], ["r"]),
             helper.make_node("Transpose", ["r"], ["t"], perm=[0, 2, 1]),
             helper.make_node("Softmax", ["r"], ["s"], axis=2),
             helper.make_node("Concat", ["r", "x"], ["cat"], axis=1),
             helper.make_node("Reshape", ["cat", "shape"], ["flat"])]
    path = model(tmp_path / "m.onnx", nodes, [("x", [1, 4, 10])], ["r", "t", "s", "flat"],
                 [("w", (4, 4, 3)), ("bias_c1", (4, 1)), ("shape", np.array([1, -1], np.int64))])
    g = compare(path, [(1, 4, 10)], tmp_path)
    assert [n.op for n in g.nodes][:3] == ["reshape", "transpose", "conv_2d"]


def test_1d_stack_keeps_its_layout(tmp_path):
    """Conv -> Relu -> MaxPool -> BatchNormalization (after the pool: a depthwise 1x1) -> Conv ->
    GlobalAveragePool -> Flatten: one transpose in, one out."""
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], strides=[2], pads=[2, 1], dilations=[2]),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[3], strides=[2], pads=[1, 0], ceil_mode=1),
             helper.make_node("BatchNormalization", ["p1", "g", "be", "m", "v"], ["bn"]),
             helper.make_node("Conv", ["bn", "w2"], ["c2"], group=2, auto_pad="SAME_LOWER", strides=[2]),
             helper.make_node("AveragePool", ["c2"], ["ap"], kernel_shape=[2], pads=[1, 1], count_include_pad=1),
             helper.make_node("GlobalAveragePool", ["ap"], ["gp"]),
             helper.make_node("Flatten", ["gp"], ["y"])]
    rng = np.random.default_rng(2)
    inits = [("w1", (6, 3, 3)), ("b1", (6,)), ("g", rng.uniform(0.5, 1.5, 6).astype(np.float32)), ("be", (6,)),
             ("m", (6,)), ("v", rng.uniform(0.5, 1.5, 6).astype(np.float32)), ("w2", (8, 3, 4))]
    g = compare(model(tmp_path / "m.onnx", nodes, [("x", [1, 3, 37])], ["y"], inits), [(1, 3, 37)], tmp_path)
    assert [n.op for n in g.nodes].count("transpose") == 2, [n.op for n in g.nodes]


def test_nearest_resize_without_a_tflite_equivalent_is_exact_gathers(tmp_path):
    """round_prefer_ceil + asymmetric upsampling 3 -> 7 reads rows TF Lite's kernel never does."""
    nodes = [helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest",
                              coordinate_transformation_mode="asymmetric", nearest_mode="round_prefer_ceil")]
    path = model(tmp_path / "r.onnx", nodes, [("x", [1, 2, 3, 5])], ["y"],
                 [("sizes", np.array([1, 2, 7, 9], np.int64))])
    g = compare(path, [(1, 2, 3, 5)], tmp_path, tol=0)
    assert [n.op for n in g.nodes].count("gather") == 2
    rng = np.random.default_rng(3)
    gq = quantize_model(g, {"calibration": [[rng.normal(size=(1, 2, 3, 5)).astype(np.float32)] for _ in range(8)]})
    from tests.tflm import run_tflm
    from tinycc.backends.tflm.flatbuffer import write_tflite
    x = [rng.normal(size=(1, 2, 3, 5)).astype(np.float32)]
    ref = interpreter.run(gq, x)[0]
    work = tmp_path / "q"
    work.mkdir()
    np.testing.assert_array_equal(run_exe(build(gq, work), gq, [x])[0][0].reshape(ref.shape), ref)
    np.testing.assert_array_equal(run_tflm(write_tflite(gq), x)[0].reshape(ref.shape), ref)


REFUSALS = [
    ("MaxPool", {"kernel_shape": [2, 2], "dilations": [2, 2]}, [], "dilated pooling"),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [3, 0, 0, 0]}, [], "smaller than the kernel"),
    ("MaxPool", {"kernel_shape": [2, 2], "ceil_mode": 1, "auto_pad": "SAME_UPPER"}, [], "ceil_mode=1 together"),
    ("Resize", {"mode": "cubic"}, ["", "scales"], "'cubic'"),
    ("Resize", {"mode": "linear", "coordinate_transformation_mode": "half_pixel_symmetric"}, ["", "scales"],
     "half_pixel_symmetric"),
    ("Resize", {"mode": "linear"}, ["", "odd_scales"], "scale 1.5"),
    ("Resize", {"mode": "nearest"}, ["", "channel_scales"], "batch or channel"),
    ("ConvTranspose", {"output_shape": [20, 20]}, ["wt"], "negative begin pad"),
    ("Conv", {"group": 3}, ["w"], "group 3"),
    ("ConvTranspose", {"dilations": [1 << 30, 1]}, ["wt"], "dilated kernel spans"),
    ("ConvTranspose", {"output_padding": 1.5}, ["wt"], "output_padding"),
    ("Resize", {"mode": "nearest"}, ["", "huge_scales"], "larger than 65536"),
]


@pytest.mark.parametrize("op, attrs, extra, needle", REFUSALS, ids=[r[3] for r in REFUSALS])
def test_unsupported_combinations_are_clear_errors(op, attrs, extra, needle, tmp_path):
    inits = [("scales", np.array([1, 1, 2, 2], np.float32)), ("odd_scales", np.array([1, 1, 1.5, 1.5], np.float32)),
             ("channel_scales", np.array([1, 2, 1, 1], np.float32)),
             ("huge_scales", np.array([1, 1, 1e9, 1e9], np.float32)), ("wt", (4, 2, 3, 3)), ("w", (4, 4, 1, 1))]
    node = helper.make_node(op, ["x", *extra], ["y"], name="the_node", **attrs)
    path = model(tmp_path / "bad.onnx", [node], [("x", [1, 4, 5, 5])], ["y"],
                 [i for i in inits if i[0] in extra])
    with pytest.raises(TinyccError) as err:
        load_onnx(path)
    text = err.value.render()
    assert needle in text and "the_node" in text and op in text, text

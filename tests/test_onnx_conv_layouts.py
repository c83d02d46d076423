"""ONNX convolution family, built with onnx.helper: 1-D layout bookkeeping, exact nearest resizes
and clear refusals.

A 1-D activation is held as (N, 1, W, C) between 1-D layers; these models hand it to operators
that need ONNX's (N, C, W) (Transpose, Softmax, Concat, Reshape, a graph output) and to
elementwise ones with constants shaped for (N, C, W), and compare with onnxruntime. A nearest
Resize that TF Lite's kernel cannot express (round_prefer_ceil) runs as GATHERs, exactly, in
float and int8 (C == reference == TF Lite Micro). Attribute combinations tinycc cannot do exactly
are refused naming the node and the attribute; 200 random nodes of the family either equal
onnxruntime or are refused.
"""
from __future__ import annotations

import random

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


@pytest.mark.parametrize("shape", [(1, 3, 11), (1, 3, 5, 6)], ids=["1d", "2d"])
def test_instance_normalization(shape, tmp_path):
    """Float within 1e-5 of onnxruntime; int8 PTQ quantises it (the epsilon ADD's constant gets its own
    scale) and the int8 reference stays close to float (SQNR >= 15 dB on a held-out input)."""
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"]),
             helper.make_node("InstanceNormalization", ["c", "scale", "bias"], ["y"], epsilon=1e-3)]
    rng = np.random.default_rng(4)
    w_shape = (4, 3, *[1] * (len(shape) - 2))
    path = model(tmp_path / "in.onnx", nodes, [("x", list(shape))], ["y"],
                 [("w", w_shape), ("scale", rng.uniform(0.5, 1.5, 4).astype(np.float32)), ("bias", (4,))])
    g = compare(path, [shape], tmp_path)
    assert "rsqrt" in [n.op for n in g.nodes]
    gq = quantize_model(g, {"calibration": [[rng.normal(size=shape).astype(np.float32)] for _ in range(16)]})
    x = rng.normal(size=shape).astype(np.float32)
    want = interpreter.run(g, [x])[0]
    got = interpreter.run(gq, [x])[0].astype(np.float64)
    noise = float(np.sum((want - got) ** 2))
    assert 10 * np.log10(float(np.sum(want.astype(np.float64) ** 2)) / max(noise, 1e-30)) >= 15.0

REFUSALS = [
    ("MaxPool", {"kernel_shape": [2, 2], "dilations": [2, 2]}, [], "dilated pooling"),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [3, 0, 0, 0]}, [], "smaller than the kernel"),
    ("MaxPool", {"kernel_shape": [2, 2], "ceil_mode": 1, "auto_pad": "SAME_UPPER"}, [], "ceil_mode=1 together"),
    ("Resize", {"mode": "cubic"}, ["", "scales"], "'cubic'"),
    ("Resize", {"mode": "linear", "coordinate_transformation_mode": "half_pixel_symmetric"}, ["", "scales"],
     "half_pixel_symmetric"),
    ("Resize", {"mode": "linear"}, ["", "odd_scales"], "scale 1.5"),
    ("Resize", {"mode": "nearest"}, ["", "channel_scales"], "batch or channel"),
    ("ConvTranspose", {"output_shape": [20, 20], "auto_pad": "SAME_UPPER"}, ["wt"], "negative begin pad"),
    ("ConvTranspose", {"strides": [3, 3], "auto_pad": "SAME_LOWER"}, ["wt2"], "larger than the full"),
    ("Conv", {"group": 3}, ["w"], "group 3"),
    ("ConvTranspose", {"dilations": [1 << 30, 1]}, ["wt"], "dilated kernel spans"),
    ("ConvTranspose", {"output_padding": 1.5}, ["wt"], "output_padding"),
    ("Resize", {"mode": "nearest"}, ["", "huge_scales"], "larger than 65536"),
]


@pytest.mark.parametrize("op, attrs, extra, needle", REFUSALS, ids=[r[3] for r in REFUSALS])
def test_unsupported_combinations_are_clear_errors(op, attrs, extra, needle, tmp_path):
    inits = [("scales", np.array([1, 1, 2, 2], np.float32)), ("odd_scales", np.array([1, 1, 1.5, 1.5], np.float32)),
             ("channel_scales", np.array([1, 2, 1, 1], np.float32)),
             ("huge_scales", np.array([1, 1, 1e9, 1e9], np.float32)), ("wt", (4, 2, 3, 3)),
             ("wt2", (4, 2, 1, 1)), ("w", (4, 4, 1, 1))]
    node = helper.make_node(op, ["x", *extra], ["y"], name="the_node", **attrs)
    path = model(tmp_path / "bad.onnx", [node], [("x", [1, 4, 5, 5])], ["y"],
                 [i for i in inits if i[0] in extra])
    with pytest.raises(TinyccError) as err:
        load_onnx(path)
    text = err.value.render()
    assert needle in text and "the_node" in text and op in text, text


def random_case(rnd: random.Random, rng: np.random.Generator):
    """One random 1-D or 2-D Conv / ConvTranspose / MaxPool / AveragePool / Resize node."""
    dims = rnd.choice([1, 2])
    op = rnd.choice(["Conv", "ConvTranspose", "MaxPool", "AveragePool", "Resize"])
    channels = rnd.choice([1, 2, 4])
    shape = [1, channels, *[rnd.randint(1, 9) for _ in range(dims)]]
    kernel = [rnd.randint(1, 4) for _ in range(dims)]
    attrs, inits, ins = {}, [], ["x"]

    def init(name, value):
        inits.append(numpy_helper.from_array(value, name))
        ins.append(name)

    if op != "Resize":
        if rnd.random() < 0.7:
            attrs["strides"] = [rnd.randint(1, 3) for _ in range(dims)]
        if rnd.random() < 0.3:
            attrs["auto_pad"] = rnd.choice(["SAME_UPPER", "SAME_LOWER", "VALID"])
        elif rnd.random() < 0.6:
            attrs["pads"] = [rnd.randint(0, 3) for _ in range(2 * dims)]
    if op in ("Conv", "ConvTranspose"):
        group = rnd.choice([1, 1, channels])
        cout = group * rnd.choice([1, 2])
        w_shape = (cout, channels // group) if op == "Conv" else (channels, cout // group)
        init("w", rng.normal(size=(*w_shape, *kernel)).astype(np.float32))
        if rnd.random() < 0.5:
            init("b", rng.normal(size=cout).astype(np.float32))
        attrs["group"] = group
        if rnd.random() < 0.4:
            attrs["dilations"] = [rnd.randint(1, 3) for _ in range(dims)]
        if op == "ConvTranspose" and rnd.random() < 0.3:
            attrs["output_padding"] = [rnd.randint(0, 2) for _ in range(dims)]
    elif op in ("MaxPool", "AveragePool"):
        attrs["kernel_shape"] = kernel
        attrs["ceil_mode"] = int(rnd.random() < 0.4)
        if op == "AveragePool":
            attrs["count_include_pad"] = int(rnd.random() < 0.5)
    else:
        attrs["mode"] = rnd.choice(["nearest", "linear"])
        attrs["coordinate_transformation_mode"] = rnd.choice(
            ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn",
             "half_pixel_symmetric"])
        attrs["nearest_mode"] = rnd.choice(["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
        ins.append("")
        if rnd.random() < 0.5:
            init("s", np.array([1, 1, *[rnd.choice([0.5, 1, 1.5, 2, 3, 0.34]) for _ in range(dims)]], np.float32))
        else:
            ins.append("")
            init("z", np.array([*shape[:2], *[rnd.randint(1, 12) for _ in range(dims)]], np.int64))
    node = helper.make_node(op, ins, ["y"], name="n", **attrs)
    graph = helper.make_graph([node], "f", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)]), shape


def test_random_nodes_match_onnxruntime_or_are_refused(tmp_path):
    """200 random nodes of the family (seeded): whatever onnxruntime runs, tinycc's reference either
    refuses naming the node or equals within 1e-4; never another exception."""
    rnd, rng = random.Random(7), np.random.default_rng(7)
    counts = {"equal": 0, "refused": 0}
    options = ort.SessionOptions()
    options.log_severity_level = 4
    for k in range(200):
        m, shape = random_case(rnd, rng)
        path = tmp_path / f"case{k}.onnx"
        onnx.save(m, str(path))
        x = rng.normal(size=shape).astype(np.float32)
        try:
            expected = ort.InferenceSession(str(path), options).run(None, {"x": x})[0]
        except Exception:                         # onnxruntime refuses the node too
            continue
        try:
            g = load_onnx(path)
        except TinyccError as err:
            assert "'n'" in err.render(), err.render()
            counts["refused"] += 1
            continue
        got = interpreter.run(g, [x])[0]
        np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-4, atol=1e-4,
                                   err_msg=f"case {k}: {m.graph.node[0]}")
        counts["equal"] += 1
    assert counts["equal"] >= 100, counts

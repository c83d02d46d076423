"""Quantised models as their frameworks make them keep their trained scales and match the
framework's own quantised inference.

ONNX: a small CNN (conv + relu, a depthwise-separable block, a residual Add, a Concat, max and
average pooling, Gemm) quantised by onnxruntime's `quantize_static` in QDQ and QOperator format,
QInt8 and QUInt8 activations (uint8 held as int8, zero points shifted by 128), int8 weights per
channel and per tensor. For 16 random inputs:
- layer by layer, every quantised tensor tinycc computes from onnxruntime's own values of the
  layer's inputs is within 1 LSB of onnxruntime's (teacher forcing: the `after` hook of the
  reference interpreter swaps in onnxruntime's value before the next layer reads it);
- end to end (free running) the output is within 2 LSB: TFLite's kernels round half away from
  zero and onnxruntime half to even, so an average pool's ties (a quarter of its sums) differ by
  one LSB and the next layer can carry that into a second; the fraction exactly equal is printed;
- the scales and zero points are the file's (not re-calibrated);
- the generated C equals tinycc's reference interpreter byte for byte.
"""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core.interpreter import Interpreter  # noqa: E402
from tinycc.driver import optimize_model  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402

SAMPLES = 16
SHAPE = (1, 3, 16, 16)


def float_cnn(path):
    rng = np.random.default_rng(0)

    def init(n, a):
        return numpy_helper.from_array(np.asarray(a, np.float32), n)

    inits = [init("w1", rng.normal(0, .5, (8, 3, 3, 3))), init("b1", rng.normal(0, .1, 8)),
             init("wd", rng.normal(0, .5, (8, 1, 3, 3))), init("bd", rng.normal(0, .1, 8)),
             init("wp", rng.normal(0, .3, (8, 8, 1, 1))), init("bp", rng.normal(0, .1, 8)),
             init("wf", rng.normal(0, .2, (10, 16 * 4 * 4))), init("bf", rng.normal(0, .1, 10))]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1] * 4, name="conv1"),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "wd", "bd"], ["d1"], group=8, pads=[1] * 4, name="dw"),
             helper.make_node("Relu", ["d1"], ["r2"], name="relu2"),
             helper.make_node("Conv", ["r2", "wp", "bp"], ["p1"], name="pw"),
             helper.make_node("Add", ["p1", "r1"], ["a1"], name="residual"),
             helper.make_node("Concat", ["a1", "r1"], ["cc"], axis=1, name="concat"),
             helper.make_node("MaxPool", ["cc"], ["mp"], kernel_shape=[2, 2], strides=[2, 2], name="maxpool"),
             helper.make_node("AveragePool", ["mp"], ["ap"], kernel_shape=[2, 2], strides=[2, 2], name="avgpool"),
             helper.make_node("Flatten", ["ap"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], transB=1, name="fc")]
    graph = helper.make_graph(nodes, "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(SHAPE))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def ort_quantised(tmp_path, fmt: str, activations: str, per_channel: bool, weights: str = "QInt8"):
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(5)
            self.data = iter([{"x": rng.normal(size=SHAPE).astype(np.float32)} for _ in range(16)])

        def get_next(self):
            return next(self.data, None)

    pre = tmp_path / "pre.onnx"
    quant_pre_process(str(float_cnn(tmp_path / "float.onnx")), str(pre), skip_symbolic_shape=True)
    out = tmp_path / f"{fmt}_{activations}_{weights}_{'pc' if per_channel else 'pt'}.onnx"
    quantize_static(str(pre), str(out), Reader(), quant_format=getattr(QuantFormat, fmt),
                    activation_type=getattr(QuantType, activations), weight_type=getattr(QuantType, weights),
                    per_channel=per_channel)
    return out


def quantised_tensors(path):
    """{tensor: (scale, zero point as int8, element type)} of every integer activation the file states."""
    m = onnx.load(str(path))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    found = {}
    for n in m.graph.node:
        if n.op_type == "QuantizeLinear":
            s, z = n.input[1], n.input[2]
        elif n.op_type.startswith("QLinear") or n.op_type == "QGemm":
            k = {"QLinearConv": 6, "QLinearMatMul": 6, "QGemm": 7, "QLinearAdd": 6, "QLinearMul": 6,
                 "QLinearConcat": 0}.get(n.op_type, 3)
            s, z = n.input[k], n.input[k + 1]
        else:
            continue
        zp = inits[z]
        found[n.output[0]] = (inits[s], int(zp) - (128 if zp.dtype == np.uint8 else 0),
                              TensorProto.UINT8 if zp.dtype == np.uint8 else TensorProto.INT8)
    return found


def with_every_output(path, names, stated, out_path):
    """The model with each of `names` also a graph output (to read onnxruntime's value)."""
    m = onnx.load(str(path))
    for n in names:
        if n not in {o.name for o in m.graph.output}:
            m.graph.output.append(helper.make_tensor_value_info(n, stated[n][2], None))
    onnx.save(m, str(out_path))
    return out_path


def as_int8(value):
    value = np.asarray(value)
    return value.astype(np.int16) - 128 if value.dtype == np.uint8 else value.astype(np.int16)


CASES = [(fmt, act, pc) for fmt in ("QDQ", "QOperator") for act in ("QInt8", "QUInt8") for pc in (True, False)]


@pytest.mark.parametrize("fmt,activations,per_channel", CASES,
                         ids=[f"{f}-{a}-{'per_channel' if p else 'per_tensor'}" for f, a, p in CASES])
def test_onnxruntime_quantised_cnn_keeps_its_scales_and_matches_onnxruntime(tmp_path, fmt, activations,
                                                                         per_channel):
    path = ort_quantised(tmp_path, fmt, activations, per_channel)
    g = optimize_model(load_onnx(path))
    int8_ops = {n.op for n in g.nodes if g.tensors[n.outputs[0]].dtype == "int8"}
    assert {"conv_2d", "depthwise_conv_2d", "add", "concatenation", "max_pool_2d", "fully_connected"} <= int8_ops, \
        int8_ops
    stated = quantised_tensors(path)
    # the trained scales: every quantised tensor tinycc keeps has exactly the file's scale and zero point
    kept = [n for n in stated if n in g.tensors and g.tensors[n].quant is not None]
    assert len(kept) >= 6, (kept, list(stated))
    for n in kept:
        scale, zp, _ = stated[n]
        assert g.tensors[n].quant.scale[0] == np.float32(scale) and g.tensors[n].quant.zp == zp, n
    wq = next(t for t in g.tensors.values() if t.is_const and t.dtype == "int8" and t.shape[0] == 8
              and len(t.shape) == 4 and t.quant.scale.size == (8 if per_channel else 1))
    assert wq.quant.zero_point.tolist() == [0] * wq.quant.scale.size      # TFLite's weight zero points

    session = ort.InferenceSession(str(with_every_output(path, kept, stated, tmp_path / "all.onnx")))
    y_scale = float(stated[next(n for n in stated if n.startswith("y"))][0])
    rng = np.random.default_rng(6)
    samples = [[rng.normal(size=SHAPE).astype(np.float32)] for _ in range(SAMPLES)]
    interp = Interpreter(g)
    layer_worst: dict[str, int] = {}
    end_diffs = []
    for xs in samples:
        theirs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"x": xs[0]})))

        def teacher(node, outs, theirs=theirs):
            name = node.outputs[0]
            if name not in theirs or g.tensors[name].dtype != "int8":
                return outs
            want = as_int8(theirs[name])
            if want.ndim == 4:
                want = want.transpose(0, 2, 3, 1)
            mine = np.asarray(outs[0]).reshape(want.shape).astype(np.int16)
            layer_worst[name] = max(layer_worst.get(name, 0), int(np.abs(mine - want).max()))
            return [want.astype(np.int8)]

        interp.run(xs, after=teacher)
        free = interp.run(xs)[0]
        end_diffs.append(np.abs(free - theirs["y"]) / y_scale)
    assert len(layer_worst) >= 6, layer_worst
    assert max(layer_worst.values()) <= 1, layer_worst
    end = np.concatenate([d.reshape(-1) for d in end_diffs])
    assert np.all(np.abs(end - np.round(end)) < 1e-3)         # whole LSBs: the output is dequantised int8
    equal = float(np.mean(np.round(end) == 0))
    print(f"\n{fmt} {activations} {'per-channel' if per_channel else 'per-tensor'}: layers {len(layer_worst)}, "
          f"worst layer {max(layer_worst.values())} LSB; end to end worst {int(np.round(end).max())} LSB, "
          f"{equal:.1%} of {end.size} outputs equal")
    assert np.round(end).max() <= 2 and equal >= 0.3
    # the generated C computes exactly what tinycc's reference interpreter computes
    c_outs = run_exe(build(g, tmp_path), g, samples)
    for xs, c in zip(samples, c_outs):
        np.testing.assert_array_equal(c[0], interp.run(xs)[0])


def test_unsupported_qoperator_nodes_are_refused_in_one_list(tmp_path):
    from tinycc.core.errors import TinyccError
    c = [numpy_helper.from_array(np.array(0.05, np.float32), "s"), numpy_helper.from_array(np.array(0, np.int8), "z")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="q"),
             helper.make_node("QLinearLeakyRelu", ["xq", "s", "z", "s", "z"], ["l"], name="leaky",
                              domain="com.microsoft", alpha=0.1),
             helper.make_node("QLinearSoftmax", ["l", "s", "z", "s", "z"], ["sm"], name="softmax",
                              domain="com.microsoft", axis=-1, opset=13),
             helper.make_node("DequantizeLinear", ["sm", "s", "z"], ["y"], name="dq")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], c)
    path = tmp_path / "qop.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                      helper.make_opsetid("com.microsoft", 1)]), str(path))
    with pytest.raises(TinyccError) as err:
        load_onnx(path)
    text = err.value.render()
    for needle in ("com.microsoft.QLinearLeakyRelu x1 (first: 'leaky')", "com.microsoft.QLinearSoftmax x1",
                   "QLinearConv", "QGemm"):
        assert needle in text, text


def test_uint8_output_and_inconsistent_dequantisation_are_refused(tmp_path):
    from tinycc.core.errors import TinyccError
    c = [numpy_helper.from_array(np.array(0.05, np.float32), "s"), numpy_helper.from_array(np.array(0.07, np.float32),
                                                                                            "s2"),
         numpy_helper.from_array(np.array(128, np.uint8), "z")]
    q = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q")
    graph = helper.make_graph([q], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, 8])], c)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "u8.onnx"))
    with pytest.raises(TinyccError, match="UINT8: tinycc holds uint8 activations as int8"):
        load_onnx(tmp_path / "u8.onnx")
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="q"),
             helper.make_node("DequantizeLinear", ["xq", "s2", "z"], ["y"], name="dq")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], c)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "bad.onnx"))
    with pytest.raises(TinyccError, match=r"quantised with scale 0.05.*zero point 0 but dequantised with scale 0.07"):
        load_onnx(tmp_path / "bad.onnx")


@pytest.mark.parametrize("fmt", ["QDQ", "QOperator"])
def test_uint8_weights_with_nonzero_zero_points_stay_float_with_a_note(tmp_path, fmt):
    """onnxruntime's QUInt8 weights are asymmetric: shifted to int8 exactly, their zero points are
    not 0, which TFLite's int8 kernels cannot take. The layers are computed in float from the
    file's integer weights (a note says so), never by an int8 kernel that would ignore the zero point."""
    path = ort_quantised(tmp_path, fmt, "QUInt8", False, weights="QUInt8")
    g0 = load_onnx(path)
    notes = [n for n in g0.metadata.notes if "nonzero zero points" in n]
    assert len(notes) == 4 and all("computed in float" in n for n in notes), g0.metadata.notes
    g = optimize_model(g0)
    for n in g.nodes:
        if n.op in ("conv_2d", "depthwise_conv_2d", "fully_connected"):
            assert g.tensors[n.outputs[0]].dtype == "float32", n.name
    stated = quantised_tensors(path)
    y_scale = float(stated[next(n for n in stated if n.startswith("y"))][0])
    session = ort.InferenceSession(str(path))
    rng = np.random.default_rng(6)
    samples = [[rng.normal(size=SHAPE).astype(np.float32)] for _ in range(SAMPLES)]
    c_outs = run_exe(build(g, tmp_path), g, samples)
    interp = Interpreter(g)
    lsb = []
    for xs, c in zip(samples, c_outs):
        np.testing.assert_array_equal(c[0], interp.run(xs)[0])
        lsb.append(np.abs(c[0] - session.run(None, {"x": xs[0]})[0]).reshape(-1) / y_scale)
    end = np.round(np.concatenate(lsb))
    print(f"\n{fmt} uint8 weights: end to end worst {int(end.max())} LSB, {np.mean(end == 0):.1%} equal")
    assert end.max() <= 2

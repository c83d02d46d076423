"""Tiny transformers (issue 18): ONNX MatMul/Gemm on sequences and heads, LayerNormalization and
the decomposed layer norm, and a KWT keyword-spotting transformer from PyTorch (ONNX) and Keras,
float and int8.

Float: tinycc's reference interpreter and C within 1e-4 of the largest |output| of onnxruntime /
Keras (relative). torch's own nn.TransformerEncoder runs once the importer claims ONNX Gather.
Int8 (tinycc's PTQ, the `--calibration` path): the compiled C equals tinycc's
reference interpreter byte for byte, the reference equals TF Lite Micro (the graph written as a
.tflite), and top-1 agrees with float on >= 90% of 32 structured inputs (measured and asserted).
"""
from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.c_build import build, run_exe  # noqa: E402
from tests.tflm import run_tflm  # noqa: E402
from tests.transformer_models import (  # noqa: E402
    CLASSES,
    COEFFS,
    FRAMES,
    keras_file,
    mfcc_like,
    torch_encoder_onnx,
    torch_onnx,
)
from tinycc.backends.tflm.flatbuffer import write_tflite  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.driver import quantize_model  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402

REL_TOL = 1e-4           # float: |tinycc - framework| <= 1e-4 x max |framework output|
SAMPLES = 32
MIN_AGREEMENT = 0.9


def assert_close(got, expected, label):
    got = np.asarray(got).reshape(expected.shape)
    err = float(np.abs(got - expected).max())
    top = float(np.abs(expected).max())
    assert err <= REL_TOL * top, f"{label}: max error {err} vs max |y| {top}"


# ---- ONNX building blocks, written with onnx.helper ----

def block_model(path, decomposed: bool):
    """x (1, 6, 8) -> MatMul W + Add b (nn.Linear on a sequence) -> layer norm (LayerNormalization at
    opset 17, or torch's decomposed form at opset 13) -> two heads (1, 2, 6, 4) -> q @ q^T (a
    Transpose of the last two axes) -> Softmax -> @ v."""
    rng = np.random.default_rng(0)

    def init(name, arr):
        return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)

    inits = [init("w", rng.normal(0, 0.4, (8, 8))), init("b", rng.normal(0, 0.1, 8)),
             init("gamma", rng.normal(1, 0.1, 8)), init("beta", rng.normal(0, 0.1, 8)),
             numpy_helper.from_array(np.array([1, 6, 2, 4], dtype=np.int64), "heads")]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["xw"], name="linear"),
             helper.make_node("Add", ["b", "xw"], ["h"], name="linear_bias")]
    if decomposed:
        inits += [init("two", np.array(2.0)), init("eps", np.array(1e-5))]
        nodes += [helper.make_node("ReduceMean", ["h"], ["m"], axes=[-1]),
                  helper.make_node("Sub", ["h", "m"], ["d"]),
                  helper.make_node("Pow", ["d", "two"], ["p"]),
                  helper.make_node("ReduceMean", ["p"], ["v"], axes=[-1]),
                  helper.make_node("Add", ["v", "eps"], ["ve"]),
                  helper.make_node("Sqrt", ["ve"], ["s"]),
                  helper.make_node("Div", ["d", "s"], ["n0"]),
                  helper.make_node("Mul", ["n0", "gamma"], ["n1"]),
                  helper.make_node("Add", ["n1", "beta"], ["n"])]
    else:
        nodes.append(helper.make_node("LayerNormalization", ["h", "gamma", "beta"], ["n"], axis=-1, epsilon=1e-5))
    nodes += [helper.make_node("Reshape", ["n", "heads"], ["r"]),
              helper.make_node("Transpose", ["r"], ["q"], perm=[0, 2, 1, 3]),
              helper.make_node("Transpose", ["q"], ["kt"], perm=[0, 1, 3, 2]),
              helper.make_node("MatMul", ["q", "kt"], ["scores"], name="scores"),
              helper.make_node("Softmax", ["scores"], ["a"], axis=-1),
              helper.make_node("MatMul", ["a", "q"], ["y"], name="context")]
    graph = helper.make_graph(nodes, "block", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 6, 4])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13 if decomposed else 17)]), str(path))
    return path


@pytest.mark.parametrize("decomposed", [False, True], ids=["LayerNormalization", "decomposed"])
def test_sequence_linear_layer_norm_and_heads_map_onto_core_ops(decomposed, tmp_path):
    path = block_model(tmp_path / "block.onnx", decomposed)
    g = load_onnx(path)
    ops = [n.op for n in g.nodes]
    # MatMul + Add is one FULLY_CONNECTED keeping the sequence axis; the layer norm is core ops only;
    # q @ q^T reads q directly with adj_y (the Transpose of the last two axes is not run)
    assert ops == ["fully_connected", "mean", "sub", "squared_difference", "mean", "add", "rsqrt", "mul", "mul", "add",
                   "reshape", "transpose", "batch_matmul", "softmax", "batch_matmul"], ops
    fc = g.nodes[0]
    assert fc.attrs["keep_num_dims"] and len(fc.inputs) == 3 and g.tensors[fc.outputs[0]].shape == (1, 6, 8)
    assert [(n.attrs["adj_x"], n.attrs["adj_y"]) for n in g.nodes if n.op == "batch_matmul"] == [(False, True),
                                                                                                 (False, False)]
    session = ort.InferenceSession(str(path))
    xs = [[x.reshape(1, 6, 8)] for x in np.random.default_rng(1).normal(size=(4, 6, 8)).astype(np.float32)]
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = session.run(None, {"x": x[0]})[0]
        assert_close(interpreter.run(g, x)[0], expected, "reference")
        assert_close(c_outs[k][0], expected, "c")


def test_matmul_refusals_are_clear(tmp_path):
    w = numpy_helper.from_array(np.ones((2, 3, 4), dtype=np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm3")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, 4])], [w])
    path = tmp_path / "mm3.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    from tinycc.core.errors import TinyccError
    with pytest.raises(TinyccError) as err:
        load_onnx(path)
    assert err.value.node == "mm3" and "(2, 3, 4)" in str(err.value) and "2-D" in err.value.render()


def layer_norm_model(path, scale_shape=(8,), **attrs):
    scale = numpy_helper.from_array(np.ones(scale_shape, dtype=np.float32), "scale")
    graph = helper.make_graph([helper.make_node("LayerNormalization", ["x", "scale"], ["y"], name="ln", **attrs)], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, 8])], [scale])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("attrs,scale_shape,needle", [
    ({"epsilon": float("nan")}, (8,), "epsilon nan"),
    ({"epsilon": -1.0}, (8,), "epsilon -1.0"),
    ({"axis": 3}, (8,), "axis 3 is out of range"),
    ({}, (5,), "does not broadcast"),
])
def test_layer_normalization_refusals_name_the_value(attrs, scale_shape, needle, tmp_path):
    from tinycc.core.errors import TinyccError
    with pytest.raises(TinyccError) as err:
        load_onnx(layer_norm_model(tmp_path / "ln.onnx", scale_shape, **attrs))
    assert err.value.node == "ln" and needle in str(err.value), err.value.render()


def test_transpose_read_twice_through_identity_is_not_folded(tmp_path):
    """k^T also read (through an Identity) by an Add: the Transpose stays, the answers match."""
    nodes = [helper.make_node("Transpose", ["x"], ["kt"], perm=[0, 2, 1]),
             helper.make_node("Identity", ["kt"], ["kt2"]),
             helper.make_node("MatMul", ["x", "kt2"], ["s"]),
             helper.make_node("Add", ["kt2", "kt2"], ["twice"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4])],
                              [helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 4, 4]),
                               helper.make_tensor_value_info("twice", TensorProto.FLOAT, [1, 4, 4])])
    path = tmp_path / "id.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    g = load_onnx(path)
    x = np.random.default_rng(2).normal(size=(1, 4, 4)).astype(np.float32)
    for got, expected in zip(interpreter.run(g, [x]), ort.InferenceSession(str(path)).run(None, {"x": x})):
        assert_close(got, expected, "identity")


# ---- the KWT transformer ----

def int8_checks(g, tmp_path, label):
    """Quantise `g` with tinycc's PTQ on 32 calibration inputs; C == reference == TFLM on every byte,
    and the top-1 agreement with float over 32 other inputs; returns (quantised graph, agreement)."""
    rng = np.random.default_rng(7)
    cal = [[x] for x in mfcc_like(rng, SAMPLES)]
    gq = quantize_model(copy.deepcopy(g), {"calibration": cal})
    tests = [[x] for x in mfcc_like(rng, SAMPLES)]
    ref = [interpreter.run(gq, x)[0] for x in tests]
    (tmp_path / "int8").mkdir()
    c_outs = run_exe(build(gq, tmp_path / "int8"), gq, tests[:8])
    model = write_tflite(gq)
    for k in range(8):
        assert c_outs[k][0].tobytes() == ref[k].tobytes(), f"{label}: C differs from the reference on input {k}"
        np.testing.assert_array_equal(run_tflm(model, tests[k])[0].reshape(ref[k].shape), ref[k])
    agree = sum(int(np.argmax(interpreter.run(g, x)[0]) == np.argmax(r)) for x, r in zip(tests, ref))
    print(f"{label}: int8 top-1 agreement with float {agree}/{SAMPLES}")
    assert agree >= MIN_AGREEMENT * SAMPLES, (label, agree)
    return gq, agree


@pytest.mark.parametrize("opset", [13, 17])
def test_pytorch_kwt_float_matches_onnxruntime(opset, tmp_path):
    path = torch_onnx(tmp_path / "kwt.onnx", opset=opset)
    g = load_onnx(path)
    ops = [n.op for n in g.nodes]
    # 5 layer norms, 2 layers x 2 attention matmuls, every Linear one FULLY_CONNECTED with its bias
    assert ops.count("rsqrt") == 5 and ops.count("batch_matmul") == 4 and ops.count("fully_connected") == 14
    assert all(len(n.inputs) == 3 for n in g.nodes if n.op == "fully_connected")
    session = ort.InferenceSession(str(path))
    xs = [[x] for x in mfcc_like(np.random.default_rng(3), 4)]
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = session.run(None, {"mfcc": x[0]})[0]
        assert expected.shape == (1, CLASSES)
        assert_close(interpreter.run(g, x)[0], expected, f"opset {opset} reference")
        assert_close(c_outs[k][0], expected, f"opset {opset} c")


def test_pytorch_kwt_int8(tmp_path):
    g = load_onnx(torch_onnx(tmp_path / "kwt.onnx", opset=13, d_model=64, heads=4))
    int8_checks(g, tmp_path, "pytorch kwt d64 h4")


def test_pytorch_kwt_cli_calibration_compiles(tmp_path):
    """`tinycc compile kwt.onnx --calibration cal.npz`: exit 0, an int8 model in the report."""
    path = torch_onnx(tmp_path / "kwt.onnx", opset=17)
    cal = np.stack(mfcc_like(np.random.default_rng(5), 16))
    np.savez(tmp_path / "cal.npz", mfcc=cal)
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(tmp_path / "out"),
                           "--calibration", str(tmp_path / "cal.npz"), "--name", "kwt"],
                          capture_output=True, text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    source = (tmp_path / "out" / "kwt.c").read_text()
    assert "int8_t" in source


def test_pytorch_transformer_encoder(tmp_path):
    """torch's nn.TransformerEncoder (nn.MultiheadAttention inside): float and int8 as above."""
    path = torch_encoder_onnx(tmp_path / "encoder.onnx")
    g = load_onnx(path)
    assert [n.op for n in g.nodes].count("batch_matmul") == 4
    session = ort.InferenceSession(str(path))
    for x in mfcc_like(np.random.default_rng(6), 3):
        assert_close(interpreter.run(g, [x])[0], session.run(None, {"mfcc": x})[0], "nn.TransformerEncoder")
    int8_checks(g, tmp_path, "nn.TransformerEncoder")


def load_keras_kwt(tmp_path):
    pytest.importorskip("tensorflow", reason="the Keras KWT is converted by TensorFlow's TFLiteConverter")
    from tinycc.plugins.importers.keras import load_keras
    path = keras_file(tmp_path / "kwt.keras")
    import keras
    return load_keras(path), keras.models.load_model(str(path))


def test_keras_kwt_float_matches_keras(tmp_path):
    g, model = load_keras_kwt(tmp_path)
    ops = {n.op for n in g.nodes}
    assert {"batch_matmul", "fully_connected", "softmax", "rsqrt", "squared_difference", "mean"} <= ops, ops
    xs = [[x] for x in mfcc_like(np.random.default_rng(4), 4)]
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = np.asarray(model(x[0]))
        assert expected.shape == (1, CLASSES) and x[0].shape == (1, FRAMES, COEFFS)
        assert_close(interpreter.run(g, x)[0], expected, "keras reference")
        assert_close(c_outs[k][0], expected, "keras c")


def test_keras_kwt_int8(tmp_path):
    g, _ = load_keras_kwt(tmp_path)
    gq, _ = int8_checks(g, tmp_path, "keras kwt")
    assert "neg" not in {n.op for n in gq.nodes}     # TFLM has no integer NEG: quantised as MUL by -1

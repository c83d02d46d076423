"""Legalisation for a backend's input limits (core/passes/legalise.py): TF Lite Micro's CONCATENATION
takes at most 10 inputs (kMaxInputNum), so the tflm backend splits wider ones into trees.

- The merge plan: the fewest, shortest runs of consecutive inputs that bring a node down to the limit.
- A model with a 12- and a 25-input concatenation (float32, and int8 after PTQ, where every input
  has its own scale and is requantised to the concatenation's), which TF Lite Micro refuses as
  written, compiles with the tflm backend into concatenations of at most 10 inputs (3 + 10, and
  10 + 7 + 10), and the written .tflite runs in TF Lite Micro equal to tinycc's reference on the
  unsplit graph byte for byte. The c backend declares no limit: its graph keeps the wide nodes.
- An operator over a declared limit that cannot be split is refused with the limit named.
- An ONNX Conv with 16 groups (one CONCATENATION of 16 convolutions) end to end with the tflm
  backend: float within 1e-4 of onnxruntime, int8 byte for byte with tinycc's reference.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

from tests.tflm import run_tflm
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import interpreter
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes.legalise import legalise, runs
from tinycc.core.plugins import registry
from tinycc.core.validate import validate
from tinycc.driver import compile_model, legalise_for_backend, optimize_model, quantize_model

SHAPE = (1, 3, 2, 4)


def apply(count, merges):
    """The item counts of each merged run, and what is left, following `runs`' plan."""
    items = [1] * count
    for start, length in merges:
        items[start:start + length] = [sum(items[start:start + length])]
    return items


def test_merge_plan_reaches_the_limit_with_short_runs():
    assert runs(10, 10) == []
    assert runs(12, 10) == [(0, 3)]
    assert runs(25, 10) == [(0, 10), (1, 7)]
    for count in (11, 19, 25, 91, 100, 101, 1000):
        left = apply(count, runs(count, 10))
        assert len(left) == 10 and sum(left) == count
        assert all(length <= 10 for _, length in runs(count, 10))
    assert len(apply(1000, runs(1000, 10))) == 10
    with pytest.raises(ValueError):
        runs(5, 1)


def wide_graph() -> Graph:
    """x times 25 different constants; y12 concatenates the first 12 along channels, y25 all 25 along rows."""
    t = {"x": Tensor("x", SHAPE, "float32"), "y12": Tensor("y12", (), "float32"), "y25": Tensor("y25", (), "float32")}
    nodes = []
    for i in range(25):
        t[f"k{i}"] = Tensor(f"k{i}", (), "float32", data=np.array(0.25 * (i + 1) * (-1) ** i, np.float32))
        t[f"b{i}"] = Tensor(f"b{i}", (), "float32")
        nodes.append(Node(f"mul{i}", "mul", ["x", f"k{i}"], [f"b{i}"]))
    nodes.append(Node("cat12", "concatenation", [f"b{i}" for i in range(12)], ["y12"], {"axis": 3}))
    nodes.append(Node("cat25", "concatenation", [f"b{i}" for i in range(25)], ["y25"], {"axis": 1}))
    return validate(Graph("wide", t, nodes, ["x"], ["y12", "y25"], source="wide"))


def samples(k, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=SHAPE).astype(np.float32)] for _ in range(k)]


def concat_widths(g):
    return [len(n.inputs) for n in g.nodes if n.op == "concatenation"]


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_wide_concatenations_run_in_tflm_after_the_tflm_backend_splits_them(dtype, tmp_path):
    g = optimize_model(wide_graph())
    if dtype == "int8":
        g = quantize_model(g, {"calibration": samples(8, seed=0)})
        cats = [n for n in g.nodes if n.op == "concatenation"]
        assert len({float(g.tensors[n].quant.s) for n in cats[0].inputs}) == 1  # requantised to one scale,
        requant = [n for n in g.nodes if n.op == "quantize" and n.outputs[0] in cats[1].inputs]
        assert len({float(g.tensors[n.inputs[0]].quant.s) for n in requant}) > 10   # from many
    reference = copy.deepcopy(g)
    assert concat_widths(reference) == [12, 25]
    with pytest.raises(RuntimeError):                    # as written, TF Lite Micro refuses the graph
        run_tflm(write_tflite(reference), samples(1)[0])

    report = compile_model(g, "tflm", tmp_path / "out", options={"verify": True})
    assert report["verify"]["passed"]
    assert concat_widths(g) == [3, 10, 10, 7, 10]        # the graph the backend wrote
    cats = [n for n in g.nodes if n.op == "concatenation"]
    assert all(g.tensors[n.outputs[0]].dtype == dtype for n in cats)
    if dtype == "int8":                                  # the parts carry the output's quantisation
        for part, whole in [(cats[0], cats[1]), (cats[2], cats[4]), (cats[3], cats[4])]:
            p, w = g.tensors[part.outputs[0]].quant, g.tensors[whole.outputs[0]].quant
            assert (p.s, p.zp) == (w.s, w.zp)
    model = (tmp_path / "out" / "model.tflite").read_bytes()
    for xs in samples(4):
        for got, want in zip(run_tflm(model, xs), interpreter.run(reference, xs)):
            assert np.asarray(got).dtype == want.dtype
            np.testing.assert_array_equal(np.asarray(got).reshape(want.shape), want)


def test_the_c_backend_keeps_wide_concatenations(tmp_path):
    g = optimize_model(wide_graph())
    assert legalise_for_backend(g, registry().get("backend", "c")) is g
    assert concat_widths(g) == [12, 25]
    compile_model(g, "c", tmp_path / "out")
    assert concat_widths(g) == [12, 25]


def test_an_operator_over_a_limit_that_cannot_split_is_refused():
    g = optimize_model(wide_graph())
    with pytest.raises(TinyccError) as err:
        legalise(g, {"mul": 1})
    assert "takes at most 1" in str(err.value) and "mul0" in str(err.value)


def test_onnx_grouped_conv_of_16_groups_through_the_tflm_backend(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed (the PyTorch export needs it)")
    pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from tinycc.plugins.importers.onnx import load_onnx

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Conv2d(32, 32, 3, padding=1, groups=16), torch.nn.ReLU()).eval()
    path = tmp_path / "grouped.onnx"
    shape = (1, 32, 6, 6)
    with torch.no_grad():
        torch.onnx.export(module, (torch.randn(*shape),), str(path), opset_version=17, dynamo=False,
                          input_names=["x"], output_names=["y"])
    rng = np.random.default_rng(0)
    xs = [[rng.normal(size=shape).astype(np.float32)] for _ in range(3)]
    session = ort.InferenceSession(str(path))

    g = optimize_model(load_onnx(path))
    assert concat_widths(g) == [16]
    compile_model(g, "tflm", tmp_path / "float", options={"verify": True})
    assert concat_widths(g) == [7, 10]
    model = (tmp_path / "float" / "model.tflite").read_bytes()
    for x in xs:
        want = session.run(None, {"x": x[0]})[0]
        got = np.asarray(run_tflm(model, x)[0])
        np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-4,
                                   atol=1e-4 * float(np.abs(want).max()))

    gq = quantize_model(optimize_model(load_onnx(path)), {"calibration": [[rng.normal(size=shape).astype(np.float32)]
                                                                          for _ in range(8)]})
    reference = copy.deepcopy(gq)
    compile_model(gq, "tflm", tmp_path / "int8", options={"verify": True})
    assert concat_widths(gq) == [7, 10]
    model = (tmp_path / "int8" / "model.tflite").read_bytes()
    for x in xs:
        want = interpreter.run(reference, x)[0]
        np.testing.assert_array_equal(np.asarray(run_tflm(model, x)[0]).reshape(want.shape), want)

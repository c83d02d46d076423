"""Import-time folding of ONNX shape arithmetic (plugins/importers/onnx_fold.py), models built with onnx.helper.

Exporters' int64 shape logic (Shape, Equal, Where, Add/Sub/Mul/Div on shape tensors, Range,
ConstantOfShape ...) folds into the Reshape it feeds and the result matches onnxruntime. Hostile
constants are refused with a clear error naming the node before anything is allocated: a folded
output above the tensor size limit (ConstantOfShape, Range, Tile, Expand, a broadcast blow-up),
inputs the reference implementation rejects, out-of-range indices, empty slices, bad split sizes,
a constant model output and unsupported cast targets.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402

I64 = np.int64


def model(path, nodes, consts, x_shape=(1, 2, 3, 4), y_shape=None, opset=17):
    inits = [numpy_helper.from_array(np.asarray(v), k) for k, v in consts.items()]
    graph = helper.make_graph(nodes, "fold", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(m, str(path))
    return path


def test_where_equal_arithmetic_on_shape_tensors_fold_into_reshape(tmp_path):
    """reshape(x, where(shape == 3, -1, shape * 2 // 2 + 0 - 0)) with x's dims as in torch's exports."""
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Equal", ["s", "three"], ["is3"]),
             helper.make_node("Mul", ["s", "two"], ["s2"]),
             helper.make_node("Div", ["s2", "two"], ["s1"]),
             helper.make_node("Add", ["s1", "zero"], ["s3"]),
             helper.make_node("Sub", ["s3", "zero"], ["s4"]),
             helper.make_node("Where", ["is3", "minus1", "s4"], ["dims"]),
             helper.make_node("Slice", ["dims", "one", "big"], ["tail"]),
             helper.make_node("Concat", ["one", "tail"], ["shape"], axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["r"]),
             helper.make_node("Relu", ["r"], ["y"])]
    consts = {"three": np.array(3, I64), "two": np.array(2, I64), "zero": np.array(0, I64),
              "minus1": np.array(-1, I64), "one": np.array([1], I64), "big": np.array([2**63 - 1], I64)}
    path = model(tmp_path / "where.onnx", nodes, consts)
    g = load_onnx(path)
    ops = [n.op for n in g.nodes]
    assert "shape" not in ops and ops[-2:] == ["reshape", "relu"], ops
    assert g.tensors[g.nodes[-2].outputs[0]].shape == (1, 2, 3, 4)
    x = np.random.default_rng(0).normal(size=(1, 2, 3, 4)).astype(np.float32)
    expected = ort.InferenceSession(str(path)).run(None, {"x": x})[0]
    assert expected.shape == (1, 2, 3, 4)
    np.testing.assert_array_equal(interpreter.run(g, [x])[0].reshape(expected.shape), expected)
    (tmp_path / "c").mkdir()
    np.testing.assert_array_equal(run_exe(build(g, tmp_path / "c"), g, [[x]])[0][0].reshape(expected.shape),
                                  expected)


BIG = 1 << 20
HOSTILE = {
    "constant_of_shape": ([helper.make_node("ConstantOfShape", ["huge"], ["c"], name="n"),
                           helper.make_node("Add", ["x", "c"], ["y"])],
                          {"huge": np.array([BIG, BIG], I64)}, "elements; the limit is"),
    "range": ([helper.make_node("Range", ["zero", "top", "one"], ["r"], name="n"),
               helper.make_node("Reshape", ["x", "r"], ["y"])],
              {"zero": np.array(0, I64), "top": np.array(1 << 40, I64), "one": np.array(1, I64)},
              "elements; the limit is"),
    "tile": ([helper.make_node("Tile", ["w", "reps"], ["t"], name="n"),
              helper.make_node("Add", ["x", "t"], ["y"])],
             {"w": np.ones((1, 2, 3, 4), np.float32), "reps": np.array([BIG, BIG, 1, 1], I64)},
             "elements; the limit is"),
    "expand": ([helper.make_node("Expand", ["w", "to"], ["t"], name="n"),
                helper.make_node("Add", ["x", "t"], ["y"])],
               {"w": np.ones((1,), np.float32), "to": np.array([BIG, BIG], I64)}, "elements; the limit is"),
    "broadcast": ([helper.make_node("Mul", ["col", "row"], ["t"], name="n"),
                   helper.make_node("Add", ["x", "t"], ["y"])],
                  {"col": np.ones((1 << 16, 1), np.float32), "row": np.ones((1, 1 << 16), np.float32)},
                  "elements; the limit is"),
    "range_zero_delta": ([helper.make_node("Range", ["zero", "top", "zero"], ["r"], name="n"),
                          helper.make_node("Reshape", ["x", "r"], ["y"])],
                         {"zero": np.array(0, I64), "top": np.array(4, I64)}, "cannot"),
    "gather_index": ([helper.make_node("Gather", ["x", "idx"], ["y"], name="n", axis=1)],
                     {"idx": np.array([0, 2], I64)}, "index 2 is outside [-2, 1]"),
    "empty_slice": ([helper.make_node("Slice", ["x", "s", "e"], ["y"], name="n")],
                    {"s": np.array([0, 5], I64), "e": np.array([1, 9], I64)}, "is empty"),
    "split_sizes": ([helper.make_node("Split", ["x", "sizes"], ["y", "z"], name="n", axis=3)],
                    {"sizes": np.array([1, 2], I64)}, "adding up to 4"),
    "cast_double": ([helper.make_node("Cast", ["x"], ["y"], name="n", to=TensorProto.DOUBLE)], {},
                    "Cast to DOUBLE is not supported"),
    "constant_output": ([helper.make_node("Shape", ["x"], ["s"], name="n"),
                         helper.make_node("Cast", ["s"], ["y"], to=TensorProto.FLOAT)], {}, "is a constant"),
    "depth_to_space_mode": ([helper.make_node("DepthToSpace", ["x"], ["y"], name="n", blocksize=1, mode="XYZ")],
                            {}, "neither DCR nor CRD"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_constants_are_clear_errors(case, tmp_path):
    nodes, consts, needle = HOSTILE[case]
    path = model(tmp_path / f"{case}.onnx", nodes, consts)
    with pytest.raises(TinyccError) as info:
        load_onnx(path)
    message = info.value.render()
    assert needle in message and str(path) in message, message
    if case != "constant_output":
        assert "'n'" in message, message


def test_hostile_fold_exits_2_on_the_command_line(tmp_path):
    nodes, consts, needle = HOSTILE["constant_of_shape"]
    path = model(tmp_path / "huge.onnx", nodes, consts)
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr, proc.stderr

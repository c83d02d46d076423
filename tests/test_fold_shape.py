"""Shape-computing chains fold at compile time: SHAPE (the `shape_only` trait: its value depends on
its input's shape only) becomes a constant, and FoldConstants then folds everything downstream whose
inputs are all constant (STRIDED_SLICE, PACK, ...), so the compiled graph computes no shape."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate
from tinycc.driver import optimize_model
from tinycc.plugins.importers.tflite import load_tflite


def _shape_chain_model() -> bytes:
    """x (2, 4, 3) -> SHAPE -> STRIDED_SLICE [0:1] -> PACK with -1: the shape [2, -1] TF's
    tf.reshape(x, [tf.shape(x)[0], -1]) computes (RESHAPE's codec keeps it as an attribute); the
    batch also scales x through CAST (y = reshape(x * float(tf.shape(x)[0]))), so the chain is live."""
    tensors = {t.name: t for t in [
        act("x", (2, 4, 3), "float32"), act("two", (), "float32"), act("x2", (), "float32"),
        act("dims", (), "int32"), act("batch", (), "int32"), const("minus_one", np.array(-1, np.int32)),
        act("new_shape", (), "int32"), act("y", (2, 12), "float32")]}
    nodes = [Node("shape", "shape", ["x"], ["dims"]),
             Node("slice", "strided_slice", ["dims"], ["batch"],
                  {"begin": (0,), "end": (1,), "strides": (1,), "shrink_axis_mask": 1}),
             Node("pack", "pack", ["batch", "minus_one"], ["new_shape"], {"axis": 0}),
             Node("cast", "cast", ["batch"], ["two"]),
             Node("mul", "mul", ["x", "two"], ["x2"]),
             Node("reshape", "reshape", ["x2"], ["y"], {"shape": (2, -1)})]
    return write_tflite(validate(Graph("shape_chain", tensors, nodes, ["x"], ["y"], source="<shape chain>")))


def test_the_chain_folds_to_the_values_tf_computes():
    from tinycc.core.passes.constants import FoldConstants
    g = load_tflite(Path("m.tflite"), _shape_chain_model())
    batch, new_shape = g.nodes[1].outputs[0], g.nodes[2].outputs[0]
    g = FoldConstants().run(g)
    assert [n.op for n in g.nodes] == ["mul", "reshape"]
    assert g.tensors[batch].data.tolist() == 2 and g.tensors[new_shape].data.tolist() == [2, -1]
    assert g.tensors[g.nodes[0].inputs[1]].data.tolist() == 2.0          # the CAST folded too


def test_shape_declares_the_trait_the_pass_asks_for():
    assert ops.having("shape_only") == ("shape",)


def test_shape_chain_folds_and_the_compiled_model_equals_tflm():
    model = _shape_chain_model()
    g = load_tflite(Path("m.tflite"), model)
    assert [n.op for n in g.nodes] == ["shape", "strided_slice", "pack", "cast", "mul", "reshape"]
    folded = optimize_model(g)
    assert [n.op for n in folded.nodes] == ["mul", "reshape"]        # the chain left no node behind
    assert_matches_tflm(write_tflite(folded), samples=2, seed=1, float_tol=1e-6, c=True)
    assert_matches_tflm(model, samples=2, seed=1, float_tol=1e-6, c=True)

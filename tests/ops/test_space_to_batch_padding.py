"""SPACE_TO_BATCH_ND with padding. TF Lite Micro never sets the kernel's pad value (its padded
elements change from run to run: the first test shows it), so padded models are judged element by
element against TFLM outside the padding and against TFLite (LiteRT's interpreter, which pads with
the zero point) everywhere, for the reference and the c backend."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.c_build import run_c_model
from tests.ops.cases.space_to_batch_nd import padded
from tests.ops.check import random_inputs
from tests.tflite_builder import act, q, single_op
from tests.tflm import run_tflm
from tinycc.core import interpreter
from tinycc.plugins.importers.tflite import load_tflite

tf = pytest.importorskip("tensorflow", reason="TFLite's interpreter (the keras extra) judges the padding")


def _tflite(model: bytes, xs):
    it = tf.lite.Interpreter(model_content=model)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), xs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def _padding_mask(g) -> np.ndarray:
    """True where the output element comes from the padding: the reference on an input of ones,
    padding with 0."""
    node = g.nodes[0]
    from tinycc.core.ops import space_to_batch_nd as op
    ones = np.ones(g.tensors[node.inputs[0]].shape, np.float32)
    return op.run(node, g, [ones], {"fill": 0})[0] == 0


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_padded_space_to_batch_equals_tflite_and_tflm_outside_the_padding(dtype):
    for seed in range(12):
        model = padded(np.random.default_rng(seed), dtype)
        g = load_tflite(Path("m.tflite"), model)
        xs = random_inputs(g, np.random.default_rng(seed))
        ours, c_out = interpreter.run(g, xs)[0], run_c_model(g, xs)[0] if seed < 3 else None
        lite, micro = _tflite(model, xs)[0], run_tflm(model, xs)[0]
        mask = _padding_mask(g).reshape(lite.shape)
        np.testing.assert_array_equal(ours.reshape(lite.shape), lite, err_msg=f"seed {seed}")
        np.testing.assert_array_equal(ours.reshape(lite.shape)[~mask], micro[~mask], err_msg=f"seed {seed}")
        if c_out is not None:
            np.testing.assert_array_equal(np.asarray(c_out).reshape(lite.shape), lite, err_msg=f"c, seed {seed}")


def test_int8_padding_is_the_zero_point():
    x = act("x", (1, 3, 3, 1), "int8", q(0.1, -7))
    model = single_op("space_to_batch_nd", [x], act("y", (), "int8", q(0.1, -7)),
                      {"block_shape": (2, 2), "paddings": ((0, 1), (1, 0))})
    g = load_tflite(Path("m.tflite"), model)
    xs = [np.arange(1, 10, dtype=np.int8).reshape(1, 3, 3, 1)]
    expected = np.array([-7, 2, -7, 8, 1, 3, 7, 9, -7, 5, -7, -7, 4, 6, -7, -7], np.int8).reshape(4, 2, 2, 1)
    np.testing.assert_array_equal(interpreter.run(g, xs)[0], expected)
    np.testing.assert_array_equal(_tflite(model, xs)[0], expected)
    np.testing.assert_array_equal(np.asarray(run_c_model(g, xs)[0]).reshape(expected.shape), expected)

"""BATCH_MATMUL in models TensorFlow's converter makes: attention scores (q @ k^T of two Dense
projections, both operands activations) and a batched constant right-hand side, in float32 and
int8; tinycc's reference and c backend equal TF Lite Micro on the converted file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tinycc.plugins.importers.tflite import load_tflite

tf = pytest.importorskip("tensorflow", reason="the converter tests need TensorFlow (the keras extra)")


def _attention():
    x = tf.keras.Input(batch_shape=(2, 5, 8))
    q = tf.keras.layers.Dense(6, use_bias=False)(x)
    k = tf.keras.layers.Dense(6, use_bias=False)(x)
    scores = tf.keras.layers.Lambda(lambda t: tf.matmul(t[0], t[1], transpose_b=True))([q, k])
    return tf.keras.Model(x, scores), (2, 5, 8)


def _constant_rhs():
    w = tf.constant(np.random.default_rng(1).normal(0, 0.5, (3, 6, 5)).astype(np.float32))
    x = tf.keras.Input(batch_shape=(2, 3, 4, 5))
    y = tf.keras.layers.Lambda(lambda t: tf.matmul(t, w, transpose_b=True))(x)
    return tf.keras.Model(x, y), (2, 3, 4, 5)


def _convert(model, shape, int8: bool) -> bytes:
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(0)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = lambda: ([rng.normal(size=shape).astype(np.float32)] for _ in range(20))
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = conv.inference_output_type = tf.int8
    return conv.convert()


@pytest.mark.parametrize("int8", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("make", [_attention, _constant_rhs], ids=["attention", "constant_rhs"])
def test_converted_batch_matmul_equals_tflm(make, int8):
    model = _convert(*make(), int8)
    g = load_tflite(Path("m.tflite"), model)
    bmm = [n for n in g.nodes if n.op == "batch_matmul"]
    assert len(bmm) == 1, [n.op for n in g.nodes]
    assert g.tensors[bmm[0].outputs[0]].dtype == ("int8" if int8 else "float32")
    assert_matches_tflm(model, samples=2, seed=4, float_tol=1e-4, c=True)

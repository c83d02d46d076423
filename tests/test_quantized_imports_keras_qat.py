"""Keras quantisation-aware training (TensorFlow Model Optimization's quantize_model on a tf_keras
CNN: conv + relu, a depthwise-separable block, a residual add, max pooling, dense), trained one
epoch, converted by TFLiteConverter to an int8 .tflite (int8 input and output). tinycc compiles the
file with the trained scales (every activation's scale and zero point equal what TensorFlow Lite's
own interpreter reads from the file) and the C output equals TF Lite Micro byte for byte on 16
random inputs, as does tinycc's reference interpreter.

tensorflow-model-optimization 0.8.1 works with TensorFlow 2.21 and tf_keras 2.21 when installed
with `pip install --no-deps tensorflow-model-optimization` (its declared dm-tree pin is not needed
for quantize_model); the test skips when it is not installed.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed (pip install 'tinycc-ml[keras]')")
pytest.importorskip("tf_keras", reason="tf_keras is not installed (tfmot builds on Keras 2)")
if importlib.util.find_spec("tensorflow_model_optimization") is None:
    pytest.skip("tensorflow-model-optimization is not installed (pip install --no-deps tensorflow-model-optimization)",
                allow_module_level=True)

from tests.c_build import build, run_exe  # noqa: E402
from tests.tflm import run_tflm  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.driver import optimize_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

# tfmot switches the process to Keras 2 when imported (later Keras 3 models in the same test worker
# then fail to load), so the model is trained and converted in a child process
QAT_SCRIPT = """
import sys
import numpy as np
import tensorflow as tf
import tf_keras as keras
import tensorflow_model_optimization as tfmot
tf.random.set_seed(0)
inp = keras.Input((16, 16, 3))
x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
y = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
y = keras.layers.Conv2D(8, 1, activation="relu")(y)
y = keras.layers.MaxPooling2D()(keras.layers.Add()([x, y]))
out = keras.layers.Dense(10)(keras.layers.Flatten()(y))
model = tfmot.quantization.keras.quantize_model(keras.Model(inp, out))
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
rng = np.random.default_rng(0)
model.fit(rng.normal(size=(64, 16, 16, 3)).astype(np.float32), rng.integers(0, 10, 64), epochs=1, verbose=0)
converter = tf.lite.TFLiteConverter.from_keras_model(model)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
converter.inference_input_type = converter.inference_output_type = tf.int8
open(sys.argv[1], "wb").write(converter.convert())
"""


def qat_tflite(path) -> bytes:
    proc = subprocess.run([sys.executable, "-c", QAT_SCRIPT, str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return path.read_bytes()


def test_keras_qat_model_keeps_its_trained_scales_and_equals_tflm(tmp_path):
    path = tmp_path / "qat.tflite"
    data = qat_tflite(path)
    g = optimize_model(load_tflite(path))
    assert {"conv_2d", "depthwise_conv_2d", "add", "max_pool_2d", "fully_connected"} <= {n.op for n in g.nodes}
    lite = tf.lite.Interpreter(model_content=data)
    stated = {d["name"]: d["quantization_parameters"] for d in lite.get_tensor_details()}
    acts = [t for t in g.tensors.values() if t.dtype == "int8" and not t.is_const and t.name in stated]
    assert len(acts) >= 6, [t.name for t in acts]
    for t in acts:
        assert t.quant.scale.tolist() == stated[t.name]["scales"].astype(np.float32).tolist(), t.name
        assert t.quant.zero_point.tolist() == stated[t.name]["zero_points"].tolist(), t.name
    rng = np.random.default_rng(6)
    samples = [[rng.integers(-128, 128, (1, 16, 16, 3)).astype(np.int8)] for _ in range(16)]
    c_outs = run_exe(build(g, tmp_path), g, samples)
    for xs, c in zip(samples, c_outs):
        want = run_tflm(data, xs)[0]
        np.testing.assert_array_equal(c[0].reshape(want.shape), want)
        np.testing.assert_array_equal(interpreter.run(g, xs)[0].reshape(want.shape), want)

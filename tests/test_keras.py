"""Keras models through tinycc (TensorFlow's TFLite converter, then tinycc's TFLite importer).

- A small CNN built and saved here (.keras): reference and C within 1e-5 of Keras.
- The MLPerf Tiny Keras files (ResNet-8 .h5, AD .h5, the KWS SavedModel): float C output
  within 1e-4 of Keras (of the shared float .tflite for the SavedModel).
- tinycc's int8 PTQ vs TensorFlow's own converter PTQ (full-integer, same calibration
  samples, run in TF Lite Micro) on ResNet-8: top-1 agreement with the float model no worse
  than TensorFlow's by more than 1 percentage point.
- A Lambda layer in a file is refused (safe mode): its code never runs.
"""
from __future__ import annotations

import copy
import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow", reason="the keras extra is not installed (pip install 'tinycc-ml[keras]')")
keras = pytest.importorskip("keras")

from tests.c_build import build, run_exe  # noqa: E402
from tests.tflm import models_dir, run_tflm  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.core.passes.calibrate import calibrate  # noqa: E402
from tinycc.core.passes.quantize import QuantizeInt8  # noqa: E402
from tinycc.core.validate import validate  # noqa: E402
from tinycc.plugins.importers.keras import load_keras  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402


def small_cnn():
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(49, 10, 1))
    x = keras.layers.Conv2D(8, (5, 3), strides=(2, 1), padding="same")(inp)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu6")(x)
    x = keras.layers.Conv2D(16, 1, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    out = keras.layers.Dense(5, activation="softmax")(x)
    return keras.Model(inp, out)


def test_keras_file_matches_keras_in_reference_and_c(tmp_path):
    model = small_cnn()
    path = tmp_path / "small.keras"
    model.save(path)
    g = load_keras(path)
    rng = np.random.default_rng(0)
    xs = [[rng.normal(size=(1, 49, 10, 1)).astype(np.float32)] for _ in range(3)]
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = model(x[0], training=False).numpy()
        np.testing.assert_allclose(interpreter.run(g, x)[0], expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(c_outs[k][0], expected, rtol=1e-5, atol=1e-5)


def _shared(rel):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    return path


@pytest.mark.parametrize("rel", ["mlperf_tiny/pretrainedResnet.h5", "mlperf_tiny/ad01.h5"])
def test_shared_h5_models_match_keras(rel, tmp_path):
    path = _shared(rel)
    g = load_keras(path)
    model = keras.models.load_model(path, compile=False)
    rng = np.random.default_rng(1)
    xs = [[rng.uniform(0, 1, g.tensors[g.inputs[0]].shape).astype(np.float32)] for _ in range(2)]
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = np.asarray(model(x[0], training=False))
        np.testing.assert_allclose(interpreter.run(g, x)[0], expected, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(c_outs[k][0], expected, rtol=1e-4, atol=1e-4)


def test_shared_saved_model_matches_the_float_tflite(tmp_path):
    g = load_keras(_shared("mlperf_tiny/kws_ref_saved_model"))
    assert g.tensors[g.inputs[0]].shape == (1, 49, 10, 1)
    rng = np.random.default_rng(2)
    x = [rng.normal(size=(1, 49, 10, 1)).astype(np.float32)]
    out = run_exe(build(g, tmp_path), g, [x])[0][0]
    np.testing.assert_allclose(out, interpreter.run(g, x)[0], rtol=1e-5, atol=1e-5)
    assert out.shape == (1, 12) and abs(float(out.sum()) - 1.0) < 1e-4


def test_tinycc_ptq_is_no_worse_than_tensorflow_ptq():
    path = _shared("mlperf_tiny/pretrainedResnet.h5")
    model = keras.models.load_model(path, compile=False)
    g = load_keras(path)
    rng = np.random.default_rng(3)
    cal = [rng.uniform(0, 1, (1, 32, 32, 3)).astype(np.float32) for _ in range(64)]
    test = [rng.uniform(0, 1, (1, 32, 32, 3)).astype(np.float32) for _ in range(100)]
    ours = validate(QuantizeInt8(calibrate(g, [[c] for c in cal])).run(copy.deepcopy(g)))

    ins = keras.Input(batch_shape=(1, 32, 32, 3))
    fixed = keras.Model(ins, model(ins))
    conv = tf.lite.TFLiteConverter.from_keras_model(fixed)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([c] for c in cal)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    theirs = conv.convert()                  # float input/output, int8 inside (QUANTIZE/DEQUANTIZE at the edges)

    float_top = [int(np.argmax(model(x, training=False))) for x in test]
    ours_agree = np.mean([int(np.argmax(interpreter.run(ours, [x])[0])) == t for x, t in zip(test, float_top)])
    theirs_agree = np.mean([int(np.argmax(run_tflm(theirs, [x])[0])) == t for x, t in zip(test, float_top)])
    print(f"top-1 agreement with float: tinycc {ours_agree:.2%}, TensorFlow {theirs_agree:.2%}")
    assert ours_agree >= theirs_agree - 0.01, (ours_agree, theirs_agree)
    load_tflite(path.with_suffix(".tflite"), theirs)      # TF's int8 model imports too


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_lambda_layer_is_refused(suffix, tmp_path):
    marker = tmp_path / "ran"
    inp = keras.Input(shape=(4,))
    def double(t):
        marker.touch()
        return t * 2.0

    out = keras.layers.Lambda(double)(inp)
    path = tmp_path / f"lambda{suffix}"
    keras.Model(inp, out).save(path)
    marker.unlink(missing_ok=True)                  # building the model ran the lambda once
    with pytest.raises(TinyccError) as err:
        load_keras(path)
    assert f"lambda{suffix}" in err.value.render() and "safe mode" in err.value.render().lower()
    assert not marker.exists(), "the Lambda's code ran while loading"


def test_cli_compiles_a_keras_file_with_quantisation(tmp_path):
    path = tmp_path / "small.keras"
    small_cnn().save(path)
    rng = np.random.default_rng(4)
    np.savez(tmp_path / "cal.npz", rng.normal(size=(16, 49, 10, 1)).astype(np.float32))
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "--calibration",
                           str(tmp_path / "cal.npz"),
                           "-o", str(tmp_path / "out"), "--name", "kws"], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "int8_t" in (tmp_path / "out" / "kws.c").read_text()

"""Real UNIDIRECTIONAL_SEQUENCE_LSTM models: a Keras 2 (tf_keras) LSTM layer converted by TensorFlow's
TFLiteConverter, float32 and full-integer int8 (with the converter's intermediate tensors, which TF
Lite Micro ignores), through tinycc's reference interpreter and the c backend against TF Lite Micro;
and the state semantics tinycc reproduces (one invoke from TFLM's reset state).

Keras 3's LSTM converts to a WHILE loop, not the fused operator, hence tf_keras."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflm import run_tflm

STEPS, FEATURES, UNITS = 6, 3, 5


def _convert(mode: str) -> bytes:
    tf = pytest.importorskip("tensorflow", reason="TensorFlow converts the Keras LSTM")
    keras = pytest.importorskip("tf_keras", reason="the fused LSTM comes from Keras 2's (tf_keras) layer")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((STEPS, FEATURES), batch_size=1),
                              keras.layers.LSTM(UNITS, return_sequences=True)])
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode == "int8":
        rng = np.random.default_rng(0)

        def representative():
            for _ in range(30):
                yield [rng.uniform(-2, 2, (1, STEPS, FEATURES)).astype(np.float32)]
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = representative
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = conv.inference_output_type = tf.int8
    return conv.convert()


@pytest.fixture(scope="module", params=["int8", "float32"])
def keras_lstm(request):
    return request.param, _convert(request.param)


def test_keras_lstm_is_one_fused_operator_equal_to_tflm(keras_lstm):
    mode, model = keras_lstm
    g = assert_matches_tflm(model, samples=3, seed=3, float_tol=1e-4, c=True)
    assert [n.op for n in g.nodes] == ["unidirectional_sequence_lstm"]
    assert g.tensors[g.outputs[0]].shape == (1, STEPS, UNITS)
    if mode == "int8":     # the converter's int16 cell state, a power-of-two scale
        scale, zp = g.nodes[0].attrs["cell_state_quant"]
        assert zp == 0 and np.log2(scale) == np.round(np.log2(scale))


def test_state_persists_in_tflm_and_tinycc_runs_from_the_reset_state(keras_lstm):
    """TFLM keeps the LSTM's variable tensors from one invoke to the next (until reset()); tinycc
    computes every invoke from the reset state, i.e. the first invoke of a fresh interpreter."""
    from tinycc.backends.tflm.interpreter import interpreter
    from tinycc.core import interpreter as ref
    from tinycc.plugins.importers.tflite import load_tflite
    mode, model = keras_lstm
    g = load_tflite("keras_lstm.tflite", model)
    x = np.random.default_rng(1).uniform(-2, 2, (1, STEPS, FEATURES)).astype(np.float32)
    if mode == "int8":
        x = np.random.default_rng(1).integers(-128, 128, (1, STEPS, FEATURES)).astype(np.int8)
    it = interpreter(model)
    outs = []
    for _ in range(2):
        it.set_input(x, 0)
        it.invoke()
        outs.append(np.array(it.get_output(0)))
    assert not np.array_equal(outs[0], outs[1])          # the second invoke starts from the first's state
    mine = ref.run(g, [x])[0]
    np.testing.assert_allclose(mine, run_tflm(model, [x])[0], atol=1e-4)
    np.testing.assert_allclose(mine, outs[0], atol=1e-4)

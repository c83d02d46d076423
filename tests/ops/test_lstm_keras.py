"""Real UNIDIRECTIONAL_SEQUENCE_LSTM models: a Keras 2 (tf_keras) LSTM layer converted by TensorFlow's
TFLiteConverter, float32 and full-integer int8 (with the converter's intermediate tensors, which TF
Lite Micro ignores), through tinycc's reference interpreter and the c backend against TF Lite Micro;
and the state carried from one invoke to the next (and reset) exactly as TFLM carries it.

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


def test_state_persists_across_invokes_as_in_tflm(keras_lstm):
    """TFLM keeps the LSTM's variable tensors from one invoke to the next (until reset()); so do
    tinycc's reference interpreter and the c backend (its persistent state buffer): equal on every
    invoke, and after a reset."""
    from tests.c_build import run_c_steps
    from tinycc.backends.tflm.interpreter import interpreter
    from tinycc.core.interpreter import Interpreter
    from tinycc.plugins.importers.tflite import load_tflite
    mode, model = keras_lstm
    g = load_tflite("keras_lstm.tflite", model)
    rng = np.random.default_rng(1)
    if mode == "int8":
        xs = [rng.integers(-128, 128, (1, STEPS, FEATURES)).astype(np.int8) for _ in range(4)]
    else:
        xs = [rng.uniform(-2, 2, (1, STEPS, FEATURES)).astype(np.float32) for _ in range(4)]
    reset_at = 3
    it, ref = interpreter(model), Interpreter(g)
    outs, mine = [], []
    for k, x in enumerate(xs):
        if k == reset_at:
            it.reset()
            ref.reset()
        it.set_input(x, 0)
        it.invoke()
        outs.append(np.array(it.get_output(0)))
        mine.append(ref.run([x])[0])
    first = run_tflm(model, [xs[1]])[0]
    assert not np.array_equal(outs[1], first)          # the second invoke starts from the first's state
    c_outs = [o[0] for o in run_c_steps(g, [[x] for x in xs], reset_at)]
    for k in range(len(xs)):
        for label, got in (("reference", mine[k]), ("c", c_outs[k])):
            got = np.asarray(got).reshape(outs[k].shape)
            if mode == "int8":
                assert np.array_equal(got, outs[k]), f"{label}, invoke {k}"
            else:
                np.testing.assert_allclose(got, outs[k], atol=1e-4, err_msg=f"{label}, invoke {k}")

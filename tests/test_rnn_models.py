"""Recurrent models end to end: torch nn.LSTM / nn.GRU exported by torch.onnx.export, and Keras 3
LSTM / GRU / SimpleRNN `.keras` files, all with random weights made here.

Float: tinycc's reference interpreter within FLOAT_RTOL (relative to the largest output magnitude)
of onnxruntime / Keras. Int8: the float graph quantised by tinycc's PTQ (`driver.quantize_model`
with 16 random calibration inputs); the `c` backend's C, built with -Werror, equals the int8
reference interpreter byte for byte, and the int8 outputs keep SQNR >= MIN_SQNR_DB against the
float source (onnxruntime / Keras) over 16 other random inputs (measured, printed, asserted).
ONNX recurrent nodes are unrolled by the importer (plugins/importers/onnx_ops/_recurrent.py);
Keras recurrent layers are cloned with unroll=True before TensorFlow's converter
(plugins/importers/keras.py), so neither leaves a WHILE loop.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tinycc import driver
from tinycc.core import interpreter

FLOAT_RTOL = 1e-4                # max |tinycc - source| / max |source|: float32 summation order differs
MIN_SQNR_DB = 20.0
SAMPLES = 16


def sqnr_db(ref: list[np.ndarray], got: list[np.ndarray]) -> float:
    ref_all = np.concatenate([np.ravel(r) for r in ref]).astype(np.float64)
    err = ref_all - np.concatenate([np.ravel(g) for g in got]).astype(np.float64)
    return float(10 * np.log10(np.sum(ref_all ** 2) / max(np.sum(err ** 2), 1e-30)))


def random_inputs(shapes, seed, count=SAMPLES):
    rng = np.random.default_rng(seed)
    return [[rng.normal(0, 1, s).astype(np.float32) for s in shapes] for _ in range(count)]


def check_float_and_int8(g, source, shapes, tmp_path, label):
    """g: the imported float graph; source(list of inputs) -> list of float outputs of the original."""
    tests_in = random_inputs(shapes, 1)
    expected = [source(xs) for xs in tests_in]
    for xs, want in zip(tests_in[:4], expected[:4]):
        got = interpreter.run(g, xs)
        for k, (a, e) in enumerate(zip(got, want)):
            rel = float(np.abs(a.reshape(e.shape) - e).max() / max(np.abs(e).max(), 1e-12))
            assert rel <= FLOAT_RTOL, f"{label}: float output {k} differs from the source by {rel:.2e} (relative)"
    gf = driver.optimize_model(copy.deepcopy(g))
    gq = driver.quantize_model(gf, {"calibration": random_inputs(shapes, 2)})
    assert any(t.dtype == "int8" for t in gq.tensors.values()) and not gq.subgraphs
    ref_q = [interpreter.run(gq, xs) for xs in tests_in]
    tmp_path.mkdir(parents=True, exist_ok=True)
    c_out = run_exe(build(gq, tmp_path), gq, tests_in)
    for s, (c_sample, r_sample) in enumerate(zip(c_out, ref_q)):
        for k, (c, r) in enumerate(zip(c_sample, r_sample)):
            assert c.tobytes() == np.asarray(r, dtype=c.dtype).tobytes(), \
                f"{label}: sample {s} output {k}: C differs from the int8 reference"
    db = sqnr_db([e for want in expected for e in want], [r for got in ref_q for r in got])
    print(f"\n{label}: int8 SQNR {db:.1f} dB over {SAMPLES} inputs, {len(gq.nodes)} nodes")
    assert db >= MIN_SQNR_DB, f"{label}: int8 SQNR {db:.1f} dB < {MIN_SQNR_DB} dB"
    return db


# ---------------------------------------------------------------- torch -> ONNX

TORCH_CASES = [  # kind, layers, batch_first, seq, hidden, input features
    ("LSTM", 1, False, 16, 32, 8),
    ("LSTM", 2, True, 49, 64, 10),
    ("GRU", 1, False, 49, 64, 8),
    ("GRU", 2, True, 20, 48, 6),
]


@pytest.mark.parametrize("kind,layers,batch_first,seq,hidden,features", TORCH_CASES,
                         ids=[f"{k}-{n}layer-{'bf' if b else 'tf'}-T{t}-H{h}" for k, n, b, t, h, _ in TORCH_CASES])
def test_torch_rnn_onnx(kind, layers, batch_first, seq, hidden, features, tmp_path):
    torch = pytest.importorskip("torch", reason="torch exports these models (pip install torch)")
    pytest.importorskip("onnxscript", reason="torch.onnx.export's exporter needs onnxscript")
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from tinycc.plugins.importers.onnx import load_onnx
    torch.manual_seed(layers * 100 + seq)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(torch.nn, kind)(features, hidden, num_layers=layers, batch_first=batch_first)

        def forward(self, x):
            y, _ = self.rnn(x)
            return y

    shape = (1, seq, features) if batch_first else (seq, 1, features)
    path = tmp_path / f"{kind}.onnx"
    torch.onnx.export(Net().eval(), (torch.randn(*shape),), str(path))
    import onnx

    from tinycc.plugins.importers.onnx import SUPPORTED
    model = onnx.load(str(path))
    if not {n.op_type for n in model.graph.node} <= set(SUPPORTED):
        # torch's exporter leaves the gate reordering of weights over 8192 elements (hidden 64) as
        # Slice/Concat/Unsqueeze of initializers; where the importer does not fold those yet, fold them
        # with the exporter's own optimizer, without its size limit
        import onnxscript.optimizer
        model = onnxscript.optimizer.optimize(model, input_size_limit=1 << 22)
        onnx.save(model, str(path))
    assert kind in {n.op_type for n in model.graph.node}       # the ONNX op itself, not a loop
    sess = ort.InferenceSession(str(path))
    name = sess.get_inputs()[0].name
    g = load_onnx(path)
    assert {n.op for n in g.nodes} >= {"fully_connected", "logistic", "tanh", "mul"}
    check_float_and_int8(g, lambda xs: sess.run(None, {name: xs[0]}), [shape], tmp_path / "c",
                         f"torch {kind} x{layers} T{seq} H{hidden}")


def _onnx_lstm_with_states(path, seq=16, hidden=32, features=8):
    """A one-node LSTM (onnx.helper) whose initial_h and initial_c are model inputs, Y_h and Y_c outputs."""
    onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(3)
    inits = [numpy_helper.from_array(rng.normal(0, 0.3, s).astype(np.float32), n)
             for n, s in (("W", (1, 4 * hidden, features)), ("R", (1, 4 * hidden, hidden)), ("B", (1, 8 * hidden)))]
    node = helper.make_node("LSTM", ["x", "W", "R", "B", "", "h0", "c0"], ["Y", "Y_h", "Y_c"], hidden_size=hidden)
    def vi(name, shape):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
    graph = helper.make_graph([node], "lstm_states",
                              [vi("x", [seq, 1, features]), vi("h0", [1, 1, hidden]), vi("c0", [1, 1, hidden])],
                              [vi("Y", [seq, 1, 1, hidden]), vi("Y_h", [1, 1, hidden]), vi("Y_c", [1, 1, hidden])],
                              inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return [(seq, 1, features), (1, 1, hidden), (1, 1, hidden)]


def test_onnx_lstm_initial_states_as_inputs(tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from tinycc.plugins.importers.onnx import load_onnx
    path = tmp_path / "lstm_states.onnx"
    shapes = _onnx_lstm_with_states(path)
    sess = ort.InferenceSession(str(path))
    names = [i.name for i in sess.get_inputs()]
    g = load_onnx(path)
    assert g.outputs == ["Y", "Y_h", "Y_c"]
    check_float_and_int8(g, lambda xs: sess.run(None, dict(zip(names, xs))), shapes, tmp_path / "c",
                         "onnx LSTM with h0/c0 inputs")


@pytest.mark.parametrize("attrs,message", [
    ({"activations": ["Relu", "Tanh", "Tanh"]}, "activations"),
    ({"clip": 3.0}, "clip"),
    ({"input_forget": 1}, "input_forget"),
])
def test_onnx_lstm_refusals_name_the_attribute(attrs, message, tmp_path):
    onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
    from tinycc.core.errors import TinyccError
    from tinycc.plugins.importers.onnx import load_onnx
    path = tmp_path / "lstm.onnx"
    _onnx_lstm_with_states(path, seq=3, hidden=4, features=2)
    m = onnx.load(str(path))
    m.graph.node[0].name = "my_lstm"
    m.graph.node[0].attribute.extend(onnx.helper.make_attribute(k, v) for k, v in attrs.items())
    onnx.save(m, str(path))
    with pytest.raises(TinyccError) as err:
        load_onnx(path)
    text = err.value.render()
    assert "my_lstm" in text and "LSTM" in text and message in text


# ---------------------------------------------------------------- Keras

KERAS_CASES = [  # layer, seq, hidden, features, stacked, return_sequences
    ("LSTM", 16, 32, 8, False, True),
    ("GRU", 24, 48, 6, True, False),
    ("SimpleRNN", 49, 64, 8, False, True),
]


@pytest.mark.parametrize("layer,seq,hidden,features,stacked,sequences", KERAS_CASES,
                         ids=[c[0] for c in KERAS_CASES])
def test_keras_rnn(layer, seq, hidden, features, stacked, sequences, tmp_path):
    pytest.importorskip("tensorflow", reason="TensorFlow's converter imports Keras (pip install 'tinycc-ml[keras]')")
    import keras

    from tinycc.plugins.importers.keras import load_keras
    keras.utils.set_random_seed(seq)
    x = keras.Input((seq, features))
    y = getattr(keras.layers, layer)(hidden, return_sequences=True if stacked else sequences)(x)
    if stacked:
        y = getattr(keras.layers, layer)(hidden, return_sequences=sequences)(y)
    model = keras.Model(x, y)
    path = tmp_path / f"{layer}.keras"
    model.save(path)
    g = load_keras(path)
    assert not g.subgraphs and "while" not in {n.op for n in g.nodes}
    assert any("unrolled" in note for note in g.metadata.notes)
    check_float_and_int8(g, lambda xs: [model(xs[0]).numpy()], [(1, seq, features)], tmp_path / "c",
                         f"keras {layer}{' x2' if stacked else ''} T{seq} H{hidden}")

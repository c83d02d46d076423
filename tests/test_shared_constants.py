"""Equal constants are stored once (issue 18: unrolled RNN weights per step).

- The pass alone (core/passes/share_constants.py) on small graphs: equal constants merge into the
  first in graph order and every consumer reads it; a different scale, zero point, axis, dtype,
  shape or byte does not merge; graph outputs and variables are never merged.
- An explicitly unrolled ONNX RNN with one copy of W, R and B per step (what an exporter that
  unrolls writes): its compiled constants drop to one step's weights, counted from the model's
  dimensions; float outputs equal onnxruntime's within the recurrent tests' tolerance; its int8
  graph (tinycc's PTQ) runs byte for byte equal in the reference, the host C and TF Lite Micro.
- An ONNX LSTM node (unrolled by the importer): one copy of its weights, from its dimensions; its
  steps share one quantisation per role, so the c backend's flash does not grow with the sequence.
- The .tflite writer gives equal constants one buffer.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

from tinycc import driver
from tinycc.core import interpreter
from tinycc.core.graph import Graph, Node, Quant, Tensor
from tinycc.core.passes import Sequential
from tinycc.core.passes.share_constants import ShareConstants
from tinycc.core.validate import validate

FLOAT_RTOL = 1e-4          # as tests/test_rnn_models.py: float32 summation order differs from onnxruntime


def const_bytes(g: Graph) -> int:
    return sum(t.nbytes for t in g.tensors.values() if t.is_const)


# ---------------------------------------------------------------- the pass alone

def _fc_graph(weights: list[Tensor]) -> Graph:
    """x -> FC(w0) -> FC(w1) -> ... (int8, 4 features), one FC per weight tensor, in order."""
    q = Quant(np.array([0.05]), np.array([3]))
    tensors = {"x": Tensor("x", (1, 4), "int8", q)}
    nodes, prev = [], "x"
    for k, w in enumerate(weights):
        tensors[w.name] = w
        out = f"y{k}"
        tensors[out] = Tensor(out, (1, 4), "int8", Quant(np.array([0.05]), np.array([-1])))
        nodes.append(Node(f"fc{k}", "fully_connected", [prev, w.name, None], [out]))
        prev = out
    return validate(Graph("fcs", tensors, nodes, ["x"], [prev]))


def _w(name: str, data: np.ndarray, scale=(0.02,) * 4, zp=(0,) * 4, axis=0) -> Tensor:
    return Tensor(name, (4, 4), "int8", Quant(np.array(scale), np.array(zp), axis), data.astype(np.int8))


def test_equal_constants_merge_into_the_first_and_consumers_are_rewired():
    data = np.arange(16).reshape(4, 4) - 8
    g = _fc_graph([_w("w_a", data), _w("w_b", data), _w("w_c", data)])
    x = [np.arange(4, dtype=np.int8).reshape(1, 4)]
    before = interpreter.run(copy.deepcopy(g), x)[0]
    p = ShareConstants()
    g = Sequential(p).run(g)
    assert [n.inputs[1] for n in g.nodes] == ["w_a", "w_a", "w_a"]
    assert "w_b" not in g.tensors and "w_c" not in g.tensors
    assert const_bytes(g) == 16 and p.merged == 2 and p.saved_bytes == 32
    np.testing.assert_array_equal(interpreter.run(g, x)[0], before)


def test_the_survivor_is_the_first_in_graph_order_not_in_the_tensor_table():
    data = np.ones((4, 4))
    g = _fc_graph([_w("z_late_name", data), _w("a_early_name", data)])
    g.tensors = dict(reversed(list(g.tensors.items())))      # the table's order must not matter
    g = ShareConstants().run(g)
    assert [n.inputs[1] for n in g.nodes] == ["z_late_name", "z_late_name"]


@pytest.mark.parametrize("other", [
    {"scale": (0.02, 0.02, 0.02, 0.03)},       # one channel's scale
    {"zp": (0, 0, 1, 0)},                      # one zero point
    {"axis": 1},                               # the per-channel axis
])
def test_different_quantisation_does_not_merge(other):
    data = np.arange(16).reshape(4, 4) - 8
    g = _fc_graph([_w("w_a", data), _w("w_b", data, **other)])
    g = ShareConstants().run(g)
    assert [n.inputs[1] for n in g.nodes] == ["w_a", "w_b"] and const_bytes(g) == 32


def test_different_bytes_dtype_or_shape_do_not_merge():
    t = {"a": Tensor("a", (4,), "float32", data=np.zeros(4, np.float32)),
         "neg": Tensor("neg", (4,), "float32", data=np.array([0, 0, 0, -0.0], np.float32)),   # -0.0: other bytes
         "i32": Tensor("i32", (4,), "int32", data=np.zeros(4, np.int32)),                   # same bytes, other dtype
         "col": Tensor("col", (4, 1), "float32", data=np.zeros((4, 1), np.float32)),        # other shape
         "twin": Tensor("twin", (4,), "float32", data=np.zeros(4, np.float32)),
         "x": Tensor("x", (4,), "float32")}
    nodes, prev = [], "x"
    for k, c in enumerate(["a", "neg", "twin"]):
        t[f"y{k}"] = Tensor(f"y{k}", (4,), "float32")
        nodes.append(Node(f"add{k}", "add", [prev, c], [f"y{k}"]))
        prev = f"y{k}"
    t["xc"], t["z"] = Tensor("xc", (4, 1), "float32"), Tensor("z", (4, 1), "float32")
    nodes.append(Node("add3", "add", ["xc", "col"], ["z"]))
    t["xi"], t["zi"] = Tensor("xi", (4,), "int32"), Tensor("zi", (4,), "int32")
    nodes.append(Node("add4", "add", ["xi", "i32"], ["zi"]))
    g = ShareConstants().run(validate(Graph("g", t, nodes, ["x", "xc", "xi"], [prev, "z", "zi"])))
    assert [n.inputs[1] for n in g.nodes] == ["a", "neg", "a", "col", "i32"]


def test_graph_outputs_and_variables_are_never_merged():
    data = np.full((1, 4), 2, np.float32)
    t = {"x": Tensor("x", (1, 4), "float32"), "c": Tensor("c", (1, 4), "float32", data=data.copy()),
         "out_const": Tensor("out_const", (1, 4), "float32", data=data.copy()),
         "y": Tensor("y", (1, 4), "float32")}
    g = validate(Graph("g", t, [Node("add", "add", ["x", "c"], ["y"])], ["x"], ["y", "out_const"]))
    g = ShareConstants().run(g)
    assert set(g.tensors) == {"x", "c", "out_const", "y"}


# ---------------------------------------------------------------- an unrolled ONNX RNN, one copy per step

STEPS, FEATURES, HIDDEN = 6, 5, 8


def _unrolled_rnn_onnx(path) -> None:
    """h_t = tanh(x_t W + h_{t-1} R + B), written out step by step with its own copy of W, R and B
    per step (equal values, distinct initializers); y = all h_t stacked (T, H)."""
    onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(4)
    w = rng.normal(0, 0.4, (FEATURES, HIDDEN)).astype(np.float32)
    r = rng.normal(0, 0.4, (HIDDEN, HIDDEN)).astype(np.float32)
    b = rng.normal(0, 0.1, (HIDDEN,)).astype(np.float32)
    inits = []
    nodes = [helper.make_node("Split", ["x"], [f"x{t}" for t in range(STEPS)], axis=0, num_outputs=STEPS)]
    h = None
    for t in range(STEPS):
        inits += [numpy_helper.from_array(w.copy(), f"W_{t}"), numpy_helper.from_array(r.copy(), f"R_{t}"),
                  numpy_helper.from_array(b.copy(), f"B_{t}")]
        nodes.append(helper.make_node("MatMul", [f"x{t}", f"W_{t}"], [f"xw{t}"]))
        s = f"xw{t}"
        if h is not None:
            nodes.append(helper.make_node("MatMul", [h, f"R_{t}"], [f"hr{t}"]))
            nodes.append(helper.make_node("Add", [s, f"hr{t}"], [f"s{t}"]))
            s = f"s{t}"
        nodes.append(helper.make_node("Add", [s, f"B_{t}"], [f"sb{t}"]))
        nodes.append(helper.make_node("Tanh", [f"sb{t}"], [f"h{t}"]))
        h = f"h{t}"
    nodes.append(helper.make_node("Concat", [f"h{t}" for t in range(STEPS)], ["y"], axis=0))
    graph = helper.make_graph(nodes, "unrolled_rnn",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [STEPS, FEATURES])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [STEPS, HIDDEN])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def _samples(seed: int, count: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.normal(0, 1, (STEPS, FEATURES)).astype(np.float32)] for _ in range(count)]


def test_unrolled_onnx_rnn_stores_one_step_of_weights(tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from tests.tflm import assert_reference_c_and_tflm_equal
    from tinycc.plugins.importers.onnx import load_onnx
    path = tmp_path / "unrolled_rnn.onnx"
    _unrolled_rnn_onnx(path)
    one_step = FEATURES * HIDDEN + HIDDEN * HIDDEN + HIDDEN         # W, R, B: elements of one step
    g = load_onnx(path)
    copies = 4 * (STEPS * one_step - HIDDEN * HIDDEN)              # as imported: one copy per step (R from step 1)
    assert const_bytes(g) >= copies

    gf = driver.optimize_model(copy.deepcopy(g))
    assert const_bytes(gf) == 4 * one_step                         # float32: each stored once
    sess = ort.InferenceSession(str(path))
    for xs in _samples(1, 4):
        want = sess.run(None, {"x": xs[0]})[0]
        got = interpreter.run(gf, xs)[0]
        rel = float(np.abs(got.reshape(want.shape) - want).max() / np.abs(want).max())
        assert rel <= FLOAT_RTOL, f"float output differs from onnxruntime by {rel:.2e} (relative)"

    # int8 from the float graph as imported (copies and all): the pass after quantisation merges the
    # per-step int8 weights quantised from equal floats; what stays per step is a bias whose int32
    # scale follows its step's input scale (step 0's B is FULLY_CONNECTED's bias: x0's scale)
    gq = driver.quantize_model(copy.deepcopy(g), {"calibration": _samples(2, 16)})
    int8 = sum(t.nbytes for t in gq.tensors.values() if t.is_const and t.dtype == "int8")
    int32 = sum(t.nbytes for t in gq.tensors.values() if t.is_const and t.dtype == "int32")
    assert int8 == one_step                                        # W, R and the ADD's B: one byte each, once
    assert int32 == 4 * HIDDEN                                     # step 0's FULLY_CONNECTED bias
    (tmp_path / "c").mkdir()
    assert_reference_c_and_tflm_equal(gq, _samples(3, 4), tmp_path / "c")

    # the C: R's int8 values in one flash array, which every step's recurrent FULLY_CONNECTED reads
    driver.compile_model(gq, "c", tmp_path / "out")
    weights_c = (tmp_path / "out" / "model_weights.c").read_text()
    r_arrays = [line for line in weights_c.splitlines() if line.startswith("/*") and f"[{HIDDEN}, {HIDDEN}]" in line]
    assert len(r_arrays) == 1, r_arrays


def _onnx_lstm(tmp_path, seq, hidden, features):
    """(float graph, int8 graph, samples, onnxruntime session) of a one-node ONNX LSTM with h0/c0 inputs."""
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from tests.test_rnn_models import _onnx_lstm_with_states
    from tinycc.plugins.importers.onnx import load_onnx
    path = tmp_path / f"lstm{seq}.onnx"
    shapes = _onnx_lstm_with_states(path, seq=seq, hidden=hidden, features=features)
    gf = driver.optimize_model(load_onnx(path))
    rng = np.random.default_rng(5)
    samples = [[rng.normal(0, 1, s).astype(np.float32) for s in shapes] for _ in range(24)]
    gq = driver.quantize_model(copy.deepcopy(gf), {"calibration": samples[8:]})
    return gf, gq, samples[:8], ort.InferenceSession(str(path))


def test_onnx_lstm_node_keeps_one_copy_of_its_weights(tmp_path):
    """The importer unrolls an LSTM node over its steps reading one W, R and bias tensor
    (plugins/importers/onnx_ops/_recurrent.py): float and int8 constants are one step's."""
    from tests.tflm import assert_reference_c_and_tflm_equal
    seq, hidden, features = 12, 16, 6
    gates = 4 * hidden
    gf, gq, samples, sess = _onnx_lstm(tmp_path, seq, hidden, features)
    assert const_bytes(gf) == 4 * (gates * features + gates * hidden + gates)     # W, R, Wb + Rb in float32
    names = [i.name for i in sess.get_inputs()]
    for xs in samples[:3]:
        for got, want in zip(interpreter.run(gf, xs), sess.run(None, dict(zip(names, xs)))):
            rel = float(np.abs(got.reshape(want.shape) - want).max() / np.abs(want).max())
            assert rel <= FLOAT_RTOL, f"float output differs from onnxruntime by {rel:.2e} (relative)"
    by_dtype: dict[str, int] = {}
    for t in gq.tensors.values():
        if t.is_const:
            by_dtype[t.dtype] = by_dtype.get(t.dtype, 0) + t.nbytes
    assert by_dtype == {"int8": gates * features + gates * hidden, "int32": 4 * gates}
    (tmp_path / "c").mkdir()
    assert_reference_c_and_tflm_equal(gq, samples[:3], tmp_path / "c")


def test_onnx_lstm_flash_does_not_grow_with_the_sequence(tmp_path):
    """Every step of an unrolled LSTM quantises alike (one calibrated range per role:
    core/passes/tie_ranges.py), so its requantisation, folded bias and activation tables are the
    same arrays at every step: the c backend's flash at 12 steps equals that at 3 steps (reference kernels at both
    lengths), with one
    table per activation role (sigmoid, the candidate's tanh, the cell's tanh), and int8 keeps
    SQNR >= 20 dB against onnxruntime (tests/test_rnn_models.py's bar)."""
    from tests.test_rnn_models import MIN_SQNR_DB, sqnr_db
    flash, tables = {}, {}
    for seq in (3, 12):
        _, gq, samples, sess = _onnx_lstm(tmp_path, seq, 16, 6)
        out = tmp_path / f"c{seq}"
        # one kernel family for both lengths: the fast fully connected kernel's choice depends on a layer's
        # MACs (the input projection over all steps grows with the sequence), and its layout on the choice
        flash[seq] = driver.compile_model(gq, "c", out, options={"optimize": "size"})["flash_weights_bytes"]
        tables[seq] = (out / "model_weights.c").read_text().count(" table of ")
        names = [i.name for i in sess.get_inputs()]
        want = [w for xs in samples for w in sess.run(None, dict(zip(names, xs)))]
        got = [r for xs in samples for r in interpreter.run(gq, xs)]
        assert sqnr_db(want, got) >= MIN_SQNR_DB, f"{seq} steps: int8 SQNR {sqnr_db(want, got):.1f} dB"
    assert flash[12] == flash[3] and tables == {3: 3, 12: 3}, (flash, tables)


def test_tie_widens_every_tensor_of_a_role_to_the_union():
    from tinycc.core.passes.calibrate import Ranges
    from tinycc.core.passes.tie_ranges import tie
    r = Ranges(lo={"h": -1.0, "h#1": -0.5, "h#2": -2.0, "c": 0.0, "alone": -3.0},
               hi={"h": 1.0, "h#1": 3.0, "h#2": 0.5, "c": 1.0, "alone": 3.0}, samples=1)
    assert tie(r, {"h": "h", "h#1": "h", "h#2": "h", "alone": "other", "uncalibrated": "other"}) == 1
    assert [(r.lo[n], r.hi[n]) for n in ("h", "h#1", "h#2")] == [(-2.0, 3.0)] * 3
    assert (r.lo["c"], r.hi["c"], r.lo["alone"], r.hi["alone"]) == (0.0, 1.0, -3.0, 3.0)


def test_tflite_writer_gives_equal_constants_one_buffer():
    """Two tensors with equal bytes (no pass run) share one buffer; a third with other bytes has its own."""
    from tinycc.backends.tflm.flatbuffer import _schema, write_tflite
    data = np.arange(16).reshape(4, 4) - 8
    g = _fc_graph([_w("w_a", data), _w("w_b", data), _w("w_c", data + 1)])
    m = _schema().ModelT.InitFromPackedBuf(bytearray(write_tflite(g)), 0)
    tensors = {t.name.decode(): t for t in m.subgraphs[0].tensors}
    assert tensors["w_a"].buffer == tensors["w_b"].buffer != tensors["w_c"].buffer
    assert bytes(m.buffers[tensors["w_a"].buffer].data) == data.astype(np.int8).tobytes()
    from tests.tflm import run_tflm
    x = [np.arange(4, dtype=np.int8).reshape(1, 4)]
    np.testing.assert_array_equal(run_tflm(write_tflite(g), x)[0].reshape(1, 4), interpreter.run(g, x)[0])


def test_keras_step_roles_drop_only_the_cell_scope_number():
    """TensorFlow names an unrolled Keras cell's ops per step (lstm_cell_3, lstm_cell_5, ...): the
    role is the name without that number; layers (lstm_1, lstm_2) and directions stay apart."""
    from tinycc.plugins.importers.keras import step_roles
    outs = ["m/lstm_1/lstm_cell_3/Sigmoid_2", "m/lstm_1/lstm_cell_5/Sigmoid_2", "m/lstm_2/lstm_cell_3/Sigmoid_2",
            "m/bidirectional/backward_gru/gru_cell_7/Tanh", "m/dense/MatMul", "m/my_lstm_cell_3/x"]
    t = {n: Tensor(n, (1, 4), "float32") for n in ["x", *outs]}
    nodes = [Node(f"n{k}", "logistic", ["x"], [n]) for k, n in enumerate(outs)]
    roles = step_roles(Graph("g", t, nodes, ["x"], outs))
    assert roles == {"m/lstm_1/lstm_cell_3/Sigmoid_2": "m/lstm_1/lstm_cell/Sigmoid_2",
                     "m/lstm_1/lstm_cell_5/Sigmoid_2": "m/lstm_1/lstm_cell/Sigmoid_2",
                     "m/lstm_2/lstm_cell_3/Sigmoid_2": "m/lstm_2/lstm_cell/Sigmoid_2",
                     "m/bidirectional/backward_gru/gru_cell_7/Tanh": "m/bidirectional/backward_gru/gru_cell/Tanh"}

"""UNIDIRECTIONAL_SEQUENCE_LSTM cases: random standard LSTMs (batch-major or time-major, with or
without a cell clip), written with tinycc's writer (the state as variable tensors)."""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const, q, random_scale
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

DTYPES = ("int8", "int16", "float32")
OP = "unidirectional_sequence_lstm"
GATES = ("input", "forget", "cell", "output")


def lstm(rng, dtype, *, batch=None, steps=None, depth=None, state=None, cell_scale=None, hidden=None,
         attrs=None, checked=True):
    """The .tflite bytes of one random LSTM; keyword arguments fix what the hostile cases need."""
    batch = int(rng.integers(1, 4)) if batch is None else batch
    steps = int(rng.integers(1, 6)) if steps is None else steps
    depth = int(rng.integers(1, 9)) if depth is None else depth
    s = int(rng.integers(1, 9)) if state is None else state
    time_major = bool(rng.random() < 0.4)
    shape = (steps, batch, depth) if time_major else (batch, steps, depth)
    a = {"time_major": time_major, "cell_clip": float(rng.choice([0.0, 0.0, rng.uniform(0.5, 4.0)])),
         "hidden_state_shape": (batch, s), "cell_state_shape": (batch, s)}
    if dtype == "float32":
        x = act("x", shape, dtype)
        ws = [const(f"w_{src}_{g}", rng.normal(0, 0.5, (s, depth if src == "in" else s)).astype(np.float32))
              for src in ("in", "rec") for g in GATES]
        bs = [const(f"b_{g}", rng.normal(0, 0.5, s).astype(np.float32)) for g in GATES]
        a.update(cell_state_dtype="float32")
        y = act("y", (), dtype)
    else:
        wide = dtype == "int16"
        x_scale = random_scale(rng, 0.002, 0.05) / (256 if wide else 1)
        x = act("x", shape, dtype, q(x_scale, 0 if wide else int(rng.integers(-40, 40))))
        h_scale = random_scale(rng, 1 / 200, 1 / 60) / (256 if wide else 1) if hidden is None else hidden[0]
        h_zp = (0 if wide else int(rng.integers(-20, 21))) if hidden is None else hidden[1]
        if cell_scale is None:
            power_of_two = rng.random() < 0.8
            cell_scale = float(2.0 ** -int(rng.integers(9, 16))) if power_of_two else random_scale(rng, 1e-4, 3e-3)
        ws = []
        for src in ("in", "rec"):
            for g in GATES:
                cols = depth if src == "in" else s
                src_range = (127 * x_scale if not wide else 32767 * x_scale) if src == "in" else 1.0
                w_scale = float(np.float32(rng.uniform(0.5, 6.0) / (127 * src_range * np.sqrt(cols))))
                ws.append(const(f"w_{src}_{g}", rng.integers(-127, 128, (s, cols)).astype(np.int8), q(w_scale, 0)))
        bias_dtype = np.int64 if wide else np.int32
        bs = []
        for k, g in enumerate(GATES):
            b_scale = float(np.float32(x_scale) * np.float32(ws[k].quant.s))
            bs.append(const(f"b_{g}", np.round(rng.uniform(-1.5, 1.5, s) / b_scale).astype(bias_dtype), q(b_scale, 0)))
        a.update(cell_state_dtype="int16", hidden_state_quant=(h_scale, h_zp), cell_state_quant=(cell_scale, 0))
        y = act("y", (), dtype, q(h_scale, h_zp))
    a.update(attrs or {})
    return model(x, ws, bs, y, a, checked)


def model(x, ws, bs, y, attrs, checked=True) -> bytes:
    """A one-LSTM model: inputs 0..15 with the peephole weights (9..11) absent; validated unless not
    `checked` (hostile cases tinycc refuses)."""
    tensors = {t.name: t for t in [x, *ws, *bs, y]}
    node = Node("lstm_under_test", OP, [x.name, *(w.name for w in ws), None, None, None, *(b.name for b in bs)],
                [y.name], ops.attrs_with_defaults(ops.get(OP), dict(attrs)))
    g = Graph(OP, tensors, [node], [x.name], [y.name], source="<lstm test>")
    if checked:
        return write_tflite(validate(g))
    y.shape = tuple(int(d) for d in ops.get(OP).infer(node, g)[0])
    return write_tflite(g)


def build(rng, dtype):
    return lstm(rng, dtype)


def _rng():
    return np.random.default_rng(5)


# extreme but valid: the cell state at both ends of the int16 tanh's input scaling, a tiny cell clip
HOSTILE_VALID = {
    "lstm_cell_scale_2^-30": lambda: lstm(_rng(), "int8", cell_scale=2.0 ** -30),
    "lstm_cell_scale_2^1": lambda: lstm(_rng(), "int8", cell_scale=2.0),
    "lstm_cell_clip_tiny": lambda: lstm(_rng(), "int8", attrs={"cell_clip": 1e-3}),
}

# refused by prepare, naming the value (builder, words the message must contain)
HOSTILE_INVALID = {
    "lstm_cell_scale_2^-50": (lambda: lstm(_rng(), "int8", cell_scale=2.0 ** -50, checked=False),
                              ["cell state scale", "2^-50"]),
    "lstm_hidden_scale_1e-30": (lambda: lstm(_rng(), "int8", hidden=(1e-30, 0), checked=False),
                                ["hidden state scale", "too large"]),
    "lstm_cell_state_int8": (lambda: lstm(_rng(), "int8", attrs={"cell_state_dtype": "int8"}, checked=False),
                             ["cell state is int8", "int16"]),
}

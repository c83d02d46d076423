"""The gate arithmetic of TF Lite Micro's UNIDIRECTIONAL_SEQUENCE_LSTM (lstm_eval.h / lstm_eval.cc),
as numpy: the reference kernel of core/ops/unidirectional_sequence_lstm.py.

Integer LSTMs (8x8->16 and 16x8->16) keep gates and the cell state in int16: each gate is two
fully connected layers (input, recurrent) rescaled to Q3.12 (scale 2^-12, clamped to int16), a
saturating add, then TFLM's interpolated int16 sigmoid or tanh (a 256-entry table of
sigmoid(i / 24) in 0.16, shared by both) giving Q0.15. Products of gates are MulElementwise
(one double-rounding rescale). Float LSTMs use the same steps in float32.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops._sigmoid_table import sigmoid_s16, tanh_input_scaling, tanh_s16

INT16_MIN, INT16_MAX = -32768, 32767
GATES = ("input", "forget", "cell", "output")


def sat_add16(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """lstm_internal::AddElementWise: int16 + int16 saturated to int16."""
    return np.clip(a.astype(np.int64) + b.astype(np.int64), INT16_MIN, INT16_MAX).astype(np.int16)


def mul16(a: np.ndarray, b: np.ndarray, mul: tuple, out_dtype: str) -> np.ndarray:
    """reference_integer_ops::MulElementwise of two symmetric int16 operands: out_zp + rescale(a * b),
    clamped; `mul` is (multiplier, shift, out_zp, lo, hi)."""
    m, s, zp, lo, hi = mul
    prod = a.astype(np.int64) * b.astype(np.int64)
    v = fp.wrap32(fp.multiply_by_quantized_multiplier(prod, m, s) + zp)
    return np.clip(v, lo, hi).astype(out_dtype)


def fc16(x: np.ndarray, x_zp: int, w: np.ndarray, bias, m: int, s: int, wide: bool) -> np.ndarray:
    """A gate's fully connected layer to int16 Q3.12: the int32 (8x8) or int64 (16x8) sum of
    w * (x - x_zp) + bias, rescaled once and clamped to int16 (output zero point 0)."""
    acc = (x.astype(np.int64) - x_zp) @ w.astype(np.int64).T
    if bias is not None:
        acc = acc + bias.astype(np.int64)
    if wide:
        v = fp.multiply_by_quantized_multiplier_int64(acc, m, s)
    else:
        v = fp.multiply_by_quantized_multiplier(fp.wrap32(acc), m, s)
    return np.clip(v, INT16_MIN, INT16_MAX).astype(np.int16)


def step_int(p: dict, x, h, c, w_in, w_rec, biases):
    """One time step on rows `x` (nb, I), hidden `h` (nb, S) and cell `c` (nb, S): the new (h, c)."""
    wide = p["dtype"] == "int16"
    gates = []
    for k in range(4):
        a = fc16(x, p["input_zp"], w_in[k], biases[k], p["in_mult"][k], p["in_shift"][k], wide)
        b = fc16(h, p["hidden_zp"], w_rec[k], None, p["rec_mult"][k], p["rec_shift"][k], wide)
        z = sat_add16(a, b)
        if k == 2 and p["cell_activation"] == "tanh":
            gates.append(tanh_s16(z, *tanh_input_scaling(-12)))
        else:
            gates.append(sigmoid_s16(z))
    i, f, g, o = gates
    c = sat_add16(mul16(f, c, p["forget_mul"], "int16"), mul16(i, g, p["input_mul"], "int16"))
    if p["cell_clip"] > 0:
        q = p["quantized_cell_clip"]
        c = np.clip(c, -q, q).astype(np.int16)
    t = tanh_s16(c, p["tanh_mult"], p["tanh_shift"])
    h = mul16(t, o, p["output_mul"], p["dtype"])
    return h, c


def _sigmoid_f32(z: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-z.astype(np.float64)))).astype(np.float32)


def step_float(p: dict, x, h, c, w_in, w_rec, biases):
    gates = []
    for k in range(4):
        z = (x.astype(np.float64) @ w_in[k].astype(np.float64).T + biases[k]).astype(np.float32)
        z = z + (h.astype(np.float64) @ w_rec[k].astype(np.float64).T).astype(np.float32)
        act = np.tanh if (k == 2 and p["cell_activation"] == "tanh") else _sigmoid_f32
        gates.append(act(z).astype(np.float32))
    i, f, g, o = gates
    c = (f * c + i * g).astype(np.float32)
    if p["cell_clip"] > 0:
        c = np.clip(c, -np.float32(p["cell_clip"]), np.float32(p["cell_clip"])).astype(np.float32)
    h = (np.tanh(c) * o).astype(np.float32)
    return h, c


def run_sequence(p: dict, x: np.ndarray, w_in, w_rec, biases, state=None) -> np.ndarray:
    """EvalLstm: time-major inputs (T, B, I) step all batches at once; batch-major (B, T, I) step
    one batch row at a time. `state`: the (hidden, cell) variable tensors, read and updated in place
    (they carry to the next invoke); without it the state starts as TFLM resets its variable
    tensors: the hidden state at its zero point (int8) or 0, the cell state at 0."""
    step = step_float if p["dtype"] == "float32" else step_int
    state_dtype = "float32" if p["dtype"] == "float32" else "int16"
    s = p["state"]
    batch = x.shape[1] if p["time_major"] else x.shape[0]
    if state is None:
        hs = np.full((batch, s), p["hidden_init"], dtype=p["dtype"])
        cs = np.zeros((batch, s), dtype=state_dtype)
    else:
        hs, cs = state[0].reshape(batch, s), state[1].reshape(batch, s)     # views: updated in place
    if p["time_major"]:
        steps = x.shape[0]
        h, c = hs.copy(), cs.copy()
        out = np.empty((steps, batch, s), dtype=p["dtype"])
        for t in range(steps):
            h, c = step(p, x[t], h, c, w_in, w_rec, biases)
            out[t] = h
        hs[...], cs[...] = h, c
        return out
    steps = x.shape[1]
    out = np.empty((batch, steps, s), dtype=p["dtype"])
    for b in range(batch):
        h, c = hs[b:b + 1].copy(), cs[b:b + 1].copy()
        for t in range(steps):
            h, c = step(p, x[b, t][None, :], h, c, w_in, w_rec, biases)
            out[b, t] = h[0]
        hs[b], cs[b] = h[0], c[0]
    return out

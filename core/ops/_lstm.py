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

INT16_MIN, INT16_MAX = -32768, 32767
GATES = ("input", "forget", "cell", "output")


# TFLM's sigmoid_table_uint16 (kernels/internal/common.h, Apache-2.0): sigmoid(i / 24) in 0.16 as TFLM tabulates it (no
# rounding rule reproduces every entry, so the values are TFLM's), shared by its int16 sigmoid and tanh
TABLE = np.array([
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
], dtype=np.int64)


def sigmoid_s16(x: np.ndarray) -> np.ndarray:
    """reference_integer_ops::Logistic(0, 0, ...) on int16 Q3.12: multiplier 3, no shift."""
    v = np.asarray(x, dtype=np.int64) * 3
    a = np.abs(v)
    uh = a >> 9
    idx = np.minimum(uh, 254)
    ua, ub = TABLE[idx], TABLE[idx + 1]
    r = np.where(uh >= 255, 0x7FFF << 10, (ua << 9) + (a & 0x1FF) * (ub - ua))
    r = np.where(v >= 0, r + (1 << 9), (1 << 25) - r + (1 << 9) - 1)
    return (r >> 10).astype(np.int16)


def tanh_input_scaling(power: int) -> tuple[int, int]:
    """lstm_internal::Tanh's (multiplier, right shift) for a Q(-power) input, resolved as
    reference_integer_ops::Tanh does (power-of-two case: 3 << left shift, no right shift)."""
    left = 15 + power - 3
    if left < 0:
        return 3, -left
    return 3 << left, 0


def tanh_s16(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """reference_integer_ops::Tanh on int16 with a resolved (multiplier, right shift)."""
    round_ = (1 << (shift - 1)) if shift > 0 else 0
    v = (np.asarray(x, dtype=np.int64) * multiplier + round_) >> shift
    a = np.abs(v)
    uh = a >> 8
    idx = np.minimum(uh, 254)
    ua, ub = TABLE[idx], TABLE[idx + 1]
    r = np.where(uh >= 255, 0xFFFF << 8, (ua << 8) + (a & 0xFF) * (ub - ua))
    r = np.where(v >= 0, r - (1 << 23) + (1 << 7), -r + (1 << 23) + (1 << 7) - 1)
    return (r >> 8).astype(np.int16)


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

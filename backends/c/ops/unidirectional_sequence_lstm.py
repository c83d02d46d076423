"""C emitter for unidirectional_sequence_lstm: one call to tinycc_lstm_{s8,s16,f32} (kernels/lstm.h) with
prepare's constants in a tinycc_lstm_params struct, the weights and biases as pointer arrays, TFLM's
sigmoid table (_sigmoid_s16.table), the node's scratch buffer planned in the arena
(core/ops/unidirectional_sequence_lstm.py scratch_bytes) and its hidden and cell state variable tensors
in the persistent state buffer (NULL when the node has none: every invoke from the reset state); 16x8
(int16 activations) takes tinycc_lstm_s16, its int64 sums and biases as TFLM's. int8
LSTMs whose sums cannot leave int32 take tinycc_lstm_s8_fast (kernels/optimised/lstm_fast.h: dot
products, zero points folded per unit here)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops import _sigmoid_s16
from tinycc.backends.c.ops.fully_connected import interleave4
from tinycc.backends.c.requant import sums_fit_int32
from tinycc.core.errors import TinyccError
from tinycc.core.ops.unidirectional_sequence_lstm import INPUTS

INPUTS_W = INPUTS[1:9]


def fast_constants(node, m, p) -> tuple[str, str] | None:
    """lstm_fast.h's pointer arrays: the eight weight matrices in interleave4's layout, and the folded
    constants (per gate: bias - in_zp * row sums of the input weights, then -h_zp * row sums of the
    recurrent weights, padded to a multiple of 4 units); None when a partial sum could leave int32 or
    a multiplier is negative (the plain kernel, which wraps as TFLM's sums do, is kept)."""
    g = m.g
    mults = [int(v) for key in ("in_mult", "rec_mult") for v in p[key]]
    mults += [int(p[key][0]) for key in ("forget_mul", "input_mul", "output_mul")]
    if min(mults) < 0:
        return None
    s = p["state"]
    pad = -(-s // 4) * 4
    weights, consts = [], []
    for k in range(8):
        w = g.tensors[node.inputs[1 + k]].data
        b = g.tensors[node.inputs[12 + k]].data if k < 4 else np.zeros(s, np.int64)
        if w is None or b is None:
            return None
        bias = b.astype(np.int64).reshape(-1)
        zp = int(p["input_zp"] if k < 4 else p["hidden_zp"])
        folded = bias - zp * w.astype(np.int64).sum(axis=1)
        if not sums_fit_int32(bias, folded, w):
            return None
        side = "input" if k < 4 else "recurrent"
        weights.append(m.const_array(interleave4(w), "lstm_w4", comment=f"{node.name} {INPUTS_W[k]} (interleaved)"))
        consts.append(m.const_array(np.pad(folded, (0, pad - s)).astype(np.int32), "lstm_k",
                                    comment=f"{node.name} gate {k % 4} {side} side: folded zero point"))
    return ", ".join(weights), ", ".join(consts)


def emit(node, m, p):
    dtype = p["dtype"]
    if dtype not in ("int8", "int16", "float32"):
        raise TinyccError(f"the c backend has no {dtype} LSTM kernel", node=node.name, op=node.op)
    m.use_kernel(_sigmoid_s16.UNIT)       # lstm.h's integer gates interpolate TFLM's sigmoid table
    m.use_kernel("lstm.h")
    m.needs_math = True
    integer = dtype in ("int8", "int16")

    def four(key):
        return [int(v) for v in p[key]] if integer else [0, 0, 0, 0]

    def mul(key):
        return list(p[key][:2]) if integer else [0, 0]
    values = [p["batch"], p["steps"], p["depth"], p["state"], int(p["time_major"]),
              int(p["cell_activation"] == "tanh"), int(p["cell_clip"] > 0),
              p.get("input_zp", 0), p.get("hidden_zp", 0),
              four("in_mult"), four("in_shift"), four("rec_mult"), four("rec_shift"),
              *mul("forget_mul"), *mul("input_mul"), *mul("output_mul"),
              p.get("tanh_mult", 0), p.get("tanh_shift", 0), p.get("quantized_cell_clip", 0)]
    params = m.struct("tinycc_lstm_params", f"{node.name}_lstm", values)
    ctype = {"int8": "int8_t", "int16": "int8_t", "float32": "float"}[dtype]          # the weights
    btype = {"int8": "int32_t", "int16": "int64_t", "float32": "float"}[dtype]
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    # the variable tensors in the persistent state buffer (kept across invokes), else NULL: from the reset state
    hidden, cell = (node.inputs[16:18] + [None, None])[:2]
    state = f"{m.ptr(cell)}, {m.ptr(hidden)}" if hidden is not None and cell is not None else "NULL, NULL"
    fast = fast_constants(node, m, p) if dtype == "int8" else None
    lines = ["{"]
    if fast is None:
        ws = ", ".join(m.ptr(node.inputs[k], const=True) for k in range(1, 9))
        bs = ", ".join(m.ptr(node.inputs[k], const=True) for k in range(12, 16))
        lines += [f"    const {ctype} *const lstm_w[8] = {{{ws}}};", f"    const {btype} *const lstm_b[4] = {{{bs}}};"]
    if integer:
        tab = _sigmoid_s16.table(m)
        if fast is not None:
            for header in ("dot_s8.h", "fully_connected.h", "lstm_fast.h"):
                m.use_kernel(header)
            lines += [f"    const int32_t *const lstm_w4[8] = {{{fast[0]}}};",
                      f"    const int32_t *const lstm_k[8] = {{{fast[1]}}};",
                      f"    tinycc_lstm_s8_fast(&{params}, {x}, lstm_w4, lstm_k, {tab}, {y}, {m.scratch(node)}, "
                      f"{state});"]
        else:
            kernel = "tinycc_lstm_s8" if dtype == "int8" else "tinycc_lstm_s16"
            lines.append(f"    {kernel}(&{params}, {x}, lstm_w, lstm_b, {tab}, {y}, {m.scratch(node)}, {state});")
    else:
        clip = repr(float(np.float32(p["cell_clip"]))) + "f"
        lines.append(f"    tinycc_lstm_f32(&{params}, {clip}, {x}, lstm_w, lstm_b, {y}, {m.scratch(node)}, {state});")
    lines.append("}")
    for line in lines:
        m.emit(line)

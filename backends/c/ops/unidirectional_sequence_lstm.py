"""C emitter for unidirectional_sequence_lstm: one call to tinycc_lstm_{s8,f32} (kernels/lstm.h) with
prepare's constants in a tinycc_lstm_params struct, the weights and biases as pointer arrays, TFLM's
sigmoid table (_sigmoid_s16.table) and the node's scratch buffer planned in the arena
(core/ops/unidirectional_sequence_lstm.py scratch_bytes)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops import _sigmoid_s16
from tinycc.core.errors import TinyccError


def _scratch(node, m) -> str:
    index = next(i for i, n in enumerate(m.g.nodes) if n is node)      # node names may repeat
    key = m.plan.scratch.get(index)
    if key is None:
        raise TinyccError("the memory plan has no scratch buffer for this LSTM", node=node.name, op=node.op,
                          hint="plan with tinycc.core.planner, which reserves operators' scratch")
    return f"(void *)(arena.bytes + {m.plan.offsets[key]})"


def emit(node, m, p):
    dtype = p["dtype"]
    if dtype not in ("int8", "float32"):
        raise TinyccError(f"the c backend has no {dtype} LSTM kernel", node=node.name, op=node.op)
    m.use_kernel(_sigmoid_s16.UNIT)       # lstm.h's int8 gates interpolate TFLM's sigmoid table
    m.use_kernel("lstm.h")
    m.needs_math = True
    integer = dtype == "int8"

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
    ctype = "int8_t" if integer else "float"
    btype = "int32_t" if integer else "float"
    ws = ", ".join(m.ptr(node.inputs[k], const=True) for k in range(1, 9))
    bs = ", ".join(m.ptr(node.inputs[k], const=True) for k in range(12, 16))
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    lines = ["{", f"    const {ctype} *const lstm_w[8] = {{{ws}}};", f"    const {btype} *const lstm_b[4] = {{{bs}}};"]
    if integer:
        tab = _sigmoid_s16.table(m)
        lines.append(f"    tinycc_lstm_s8(&{params}, {x}, lstm_w, lstm_b, {tab}, {y}, {_scratch(node, m)});")
    else:
        clip = repr(float(np.float32(p["cell_clip"]))) + "f"
        lines.append(f"    tinycc_lstm_f32(&{params}, {clip}, {x}, lstm_w, lstm_b, {y}, {_scratch(node, m)});")
    lines.append("}")
    for line in lines:
        m.emit(line)

"""C emitter for log_softmax: int8 with its exp and Q5 tables (log_softmax.h after softmax.h's
fixed-point helpers), float32 through log_softmax_f32.h."""
from __future__ import annotations

from tinycc.backends.c.ops._last_axis import emit_f32


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_f32(node, m, p, "log_softmax")
    src, dst = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    exp_q12 = m.const_array(p["exp_q12"], "log_softmax_exp", "exp(-d) in Q12 for every int8 difference d")
    q5 = m.const_array(p["q5"], "log_softmax_q5", "the difference -d in Q5.26")
    m.use_kernel("sat_shl.h")
    m.use_kernel("softmax.h")
    m.use_kernel("log_softmax.h")
    m.emit(f"tinycc_log_softmax_s8({src}, {dst}, {p['rows']}, {p['depth']}, {exp_q12}, {q5}, {p['diff_min']}, "
           f"{p['rev_mult']}, {p['rev_shift']});")

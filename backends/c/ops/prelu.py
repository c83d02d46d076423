"""C emitter for prelu (kernels/binary_fn.h): float32 `x >= 0 ? x : x * alpha`, int8 tinycc_prelu_q."""
from __future__ import annotations

from tinycc.backends.c.ops._binary_fn import call, define, emit_plain

KEYS = ("input_zp", "alpha_zp", "output_zp", "multiplier_1", "shift_1", "multiplier_2", "shift_2")


def emit(node, m, p):
    if p["dtype"] == "float32":
        return emit_plain(node, m, "prelu", "float32", "x >= 0.0f ? x : x * y")
    define(m, "tinycc_prelu_s8", "int8_t", "int8_t", "tinycc_prelu_q(x, y, p)", params="tinycc_prelu_params")
    call(node, m, "tinycc_prelu_s8", params=m.struct("tinycc_prelu_params", f"{node.name}_params",
                                                     [p[k] for k in KEYS]))

"""C emitter for div (kernels/binary_fn.h): float32 a / b clamped, int32 truncating division
(0 for a zero divisor, INT32_MIN / -1 wrapping) clamped to the activation's range."""
from __future__ import annotations

from tinycc.backends.c.ops._binary_fn import bounds, call, define
from tinycc.backends.c.ops._conv_common import float_range


def emit(node, m, p):
    if p["dtype"] == "float32":
        define(m, "tinycc_div_f32", "float", "float", "tinycc_clampf(x / y, p[0], p[1])", params="float")
        return call(node, m, "tinycc_div_f32", params=bounds(node, m, "float", *float_range(node.attrs["activation"])))
    define(m, "tinycc_div_s32", "int32_t", "int32_t", "tinycc_clamp(tinycc_div_i32(x, y), p[0], p[1])",
           params="int32_t")
    call(node, m, "tinycc_div_s32", params=bounds(node, m, "int32_t", p["act_min"], p["act_max"]))

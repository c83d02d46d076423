"""C emitter for squared_difference (kernels/binary_fn.h): float32 and wrapping int32 directly,
int8/int16 through tinycc_sqdiff_q with prepare's multipliers."""
from __future__ import annotations

from tinycc.backends.c.emitter import CTYPES
from tinycc.backends.c.ops._binary_fn import SUFFIX, call, define, emit_plain

KEYS = ("input1_zp", "input2_zp", "output_zp", "left_shift", "input1_multiplier", "input1_shift",
        "input2_multiplier", "input2_shift", "output_multiplier", "output_shift", "act_min", "act_max")


def emit(node, m, p):
    dtype = p["dtype"]
    if dtype == "float32":
        return emit_plain(node, m, "squared_difference", dtype, "(x - y) * (x - y)")
    if dtype == "int32":
        return emit_plain(node, m, "squared_difference", dtype, "tinycc_sqdiff_i32(x, y)")
    name = f"tinycc_squared_difference_{SUFFIX[dtype]}"
    define(m, name, CTYPES[dtype], CTYPES[dtype], "tinycc_sqdiff_q(x, y, p)", params="tinycc_sqdiff_params")
    params = m.struct("tinycc_sqdiff_params", f"{node.name}_params", [p[k] for k in KEYS])
    call(node, m, name, params=params)

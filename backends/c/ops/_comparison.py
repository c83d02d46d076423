"""Shared by the comparison emitters: the stored values compared (bool, int32, int64, float32), or
int8/int16 inputs each rescaled by tinycc_cmp_scale (kernels/binary_fn.h) and then compared."""
from __future__ import annotations

from tinycc.backends.c.emitter import CTYPES
from tinycc.backends.c.ops._binary_fn import SUFFIX, call, define, emit_plain
from tinycc.core.ops._comparison import C_OPERATORS

KEYS = ("zp", "multiplier", "shift", "left_shift")


def emit(node, m, p):
    dtype, op = p["dtype"], C_OPERATORS[node.op]
    if dtype not in ("int8", "int16"):
        return emit_plain(node, m, node.op, dtype, f"x {op} y", out_dtype="bool")
    name = f"tinycc_{node.op}_{SUFFIX[dtype]}"
    define(m, name, CTYPES[dtype], CTYPES["bool"],
           f"tinycc_cmp_scale(x, &p->in1) {op} tinycc_cmp_scale(y, &p->in2)", params="tinycc_cmp_params")
    params = m.struct("tinycc_cmp_params", f"{node.name}_params",
                      [[p["input1"][k] for k in KEYS], [p["input2"][k] for k in KEYS]])
    call(node, m, name, params=params)

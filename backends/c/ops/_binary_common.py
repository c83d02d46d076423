"""Shared by the ADD/SUB/MUL emitters: the broadcast description and the float path."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops import _addsub_fast
from tinycc.backends.c.ops._conv_common import float_range

FLOAT_OPS = {"add": 0, "sub": 1, "mul": 2}


def bcast(node, m) -> str:
    """`&struct` describing how each input maps onto the output (elementwise.h: `linear` when each
    input is one element or the output's elements), or NULL if neither broadcasts."""
    g = m.g
    out = g.tensors[node.outputs[0]].shape
    a, b = (g.tensors[n].shape for n in node.inputs)
    if tuple(a) == tuple(out) and tuple(b) == tuple(out):
        return "NULL"
    dims = (1,) * (6 - len(out)) + tuple(out)

    def strides(shape):
        shape = (1,) * (6 - len(shape)) + tuple(shape)
        st, acc = [0] * 6, 1
        for d in range(5, -1, -1):
            st[d] = acc if shape[d] != 1 else 0
            acc *= shape[d]
        return st

    n = int(np.prod(out))
    sizes = [int(np.prod(shape)) for shape in (a, b)]
    linear = all(size in (1, n) for size in sizes)       # a scalar operand, or the output's elements
    steps = [1 if linear and size == n else 0 for size in sizes]
    return "&" + m.struct("tinycc_bcast", f"{node.name}_bcast", [list(dims), strides(a), strides(b), int(linear),
                                                                 *steps])


def emit_float(node, m) -> None:
    lo, hi = float_range(node.attrs["activation"])
    n = int(np.prod(m.g.tensors[node.outputs[0]].shape))
    m.emit(f"tinycc_binary_f32({n}, {bcast(node, m)}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.inputs[1], const=True)}, {m.ptr(node.outputs[0])}, {FLOAT_OPS[node.op]}, {lo}, {hi});")


def emit_int32(node, m, p) -> None:
    """int32 ADD/SUB/MUL: tinycc_binary_s32 (binary_s32.h), wrapping and clamped to act_min/act_max."""
    m.use_kernel("wrap_s32.h")
    m.use_kernel("binary_s32.h")
    n = int(np.prod(m.g.tensors[node.outputs[0]].shape))
    m.emit(f"tinycc_binary_s32({n}, {bcast(node, m)}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.inputs[1], const=True)}, {m.ptr(node.outputs[0])}, {FLOAT_OPS[node.op]}, "
           f"{_int32_literal(p['act_min'])}, {_int32_literal(p['act_max'])});")


def _int32_literal(v: int) -> str:
    return "INT32_MIN" if v == -(1 << 31) else str(v)


def emit_addsub(node, m, p) -> None:
    m.use_kernel("elementwise.h")
    if p["dtype"] == "float32":
        return emit_float(node, m)
    if p["dtype"] == "int32":
        return emit_int32(node, m, p)
    if _addsub_fast.emit(node, m, p):
        return None
    keys = ("input1_zp", "input2_zp", "output_zp", "left_shift", "input1_multiplier", "input1_shift",
            "input2_multiplier", "input2_shift", "output_multiplier", "output_shift", "act_min", "act_max")
    params = m.struct("tinycc_addsub_params", f"{node.name}_params", [p[k] for k in keys])
    suffix = "s8" if p["dtype"] == "int8" else "s16"
    n = int(np.prod(m.g.tensors[node.outputs[0]].shape))
    m.emit(f"tinycc_addsub_{suffix}({n}, {bcast(node, m)}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.inputs[1], const=True)}, {m.ptr(node.outputs[0])}, &{params}, "
           f"{1 if node.op == 'add' else -1});")

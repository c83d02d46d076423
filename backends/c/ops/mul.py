"""C emitter for mul: tinycc_mul_{s8,s16}, tinycc_binary_s32 or tinycc_binary_f32."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._binary_common import bcast, emit_float, emit_int32


def emit(node, m, p):
    m.use_kernel("elementwise.h")
    if p["dtype"] == "float32":
        return emit_float(node, m)
    if p["dtype"] == "int32":
        return emit_int32(node, m, p)
    keys = ("input1_zp", "input2_zp", "output_zp", "multiplier", "shift", "act_min", "act_max")
    params = m.struct("tinycc_mul_params", f"{node.name}_params", [p[k] for k in keys])
    suffix = "s8" if p["dtype"] == "int8" else "s16"
    n = int(np.prod(m.g.tensors[node.outputs[0]].shape))
    m.emit(f"tinycc_mul_{suffix}({n}, {bcast(node, m)}, {m.ptr(node.inputs[0], const=True)}, "
           f"{m.ptr(node.inputs[1], const=True)}, {m.ptr(node.outputs[0])}, &{params});")

"""C emitter for batch_matmul: kernels/batch_matmul.h with a compile-time geometry (broadcast
batch steps, adj_x / adj_y as strides). A constant rhs is re-laid at compile time with its
columns contiguous (as adj_y), so the inner product walks both operands in order."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import SUFFIX
from tinycc.core.ops.batch_matmul import dims


def _steps(batch: tuple[int, ...], matrix: int) -> list[int]:
    """Element offset per step of each batch dimension (0 where the operand broadcasts)."""
    steps, size = [], matrix
    for d in reversed(batch):
        steps.append(0 if d == 1 else size)
        size *= d
    return steps[::-1]


def emit(node, m, p):
    g = m.g
    batch, lb, rb, rows, depth, cols = dims(node, g)
    adj_x, adj_y = bool(node.attrs["adj_x"]), bool(node.attrs["adj_y"])
    rhs_t = g.tensors[node.inputs[1]]
    if rhs_t.is_const and not adj_y:
        data = np.ascontiguousarray(np.swapaxes(np.asarray(rhs_t.data), -1, -2))
        rhs = m.const_array(data, "rhs_t", comment=f"{node.inputs[1]} with its last two dimensions swapped")
        adj_y = True
    else:
        rhs = m.ptr(node.inputs[1], const=True)
    pad = 3 - len(batch)
    batch3, lb3, rb3 = ((1,) * pad + tuple(s) for s in (batch, lb, rb))
    lhs_rs, lhs_ks = (1, rows) if adj_x else (depth, 1)
    rhs_ks, rhs_cs = (1, depth) if adj_y else (cols, 1)
    geo = [*batch3, *_steps(lb3, rows * depth), *_steps(rb3, depth * cols), rows, depth, cols,
           lhs_rs, lhs_ks, rhs_ks, rhs_cs]
    geo_sym = m.const_array(np.array(geo, dtype=np.int32), "bmm_geo", comment=f"{node.name} geometry (batch_matmul.h)")
    m.use_kernel("batch_matmul.h")
    args = f"{geo_sym}, {m.ptr(node.inputs[0], const=True)}, {rhs}, {m.ptr(node.outputs[0])}"
    dtype = p["dtype"]
    if dtype == "float32":
        m.emit(f"tinycc_batch_matmul_f32({args});")
    elif dtype == "int8":
        m.emit(f"tinycc_batch_matmul_s8({args}, {p['lhs_zp']}, {p['rhs_zp']}, {p['output_zp']}, "
               f"{p['multiplier']}, {p['shift']});")
    else:
        m.emit(f"tinycc_batch_matmul_{SUFFIX[dtype]}({args}, {p['multiplier']}, {p['shift']});")

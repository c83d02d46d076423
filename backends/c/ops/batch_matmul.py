"""C emitter for batch_matmul: kernels/batch_matmul.h with a compile-time geometry (broadcast
batch steps, adj_x / adj_y as strides). A constant rhs is re-laid at compile time with its
columns contiguous (as adj_y), so the inner product walks both operands in order. int8 nodes
whose raw sums cannot leave int32 take tinycc_batch_matmul_s8_fast (batch_matmul_fast.h: 2x2 dot
products, zero points folded, the node's scratch for k-contiguous copies and column sums;
core/ops/batch_matmul.py scratch_bytes); int16 nodes take tinycc_batch_matmul_s16_fast (the same
walk, int64 sums, SMLALD pairs). A node whose scratch the plan dropped (it would have raised the
arena's peak: core/planner.py fit_speed_scratch) takes the plain kernel of its dtype."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops.batch_matmul import dims, fast_int8


def _steps(batch: tuple[int, ...], matrix: int) -> list[int]:
    """Element offset per step of each batch dimension (0 where the operand broadcasts)."""
    steps, size = [], matrix
    for d in reversed(batch):
        steps.append(0 if d == 1 else size)
        size *= d
    return steps[::-1]


def _scratch(node, m) -> str:
    index = m.g.index_of(node)
    key = m.plan.scratch.get(index)
    if key is None:
        return "(void *)0"       # nothing to copy or sum (scratch_bytes 0)
    return f"(void *)(arena.bytes + {m.plan.offsets[key]})"


def emit(node, m, p):
    g = m.g
    batch, lb, rb, rows, depth, cols = dims(node, g)
    adj_x, adj_y = bool(node.attrs["adj_x"]), bool(node.attrs["adj_y"])
    rhs_t = g.tensors[node.inputs[1]]
    csum = "(const int32_t *)0"
    if rhs_t.is_const and not adj_y:
        data = np.ascontiguousarray(np.swapaxes(np.asarray(rhs_t.data), -1, -2))
        rhs = m.const_array(data, "rhs_t", comment=f"{node.inputs[1]} with its last two dimensions swapped")
        adj_y = True
    else:
        data = np.asarray(rhs_t.data) if rhs_t.is_const else None
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
    fast = m.plan.keeps_speed_scratch(g.index_of(node))
    if dtype == "float32":
        m.emit(f"tinycc_batch_matmul_f32({args});")
    elif dtype == "int8" and fast and fast_int8(node, g) and p["multiplier"] >= 0:
        if data is not None and p["lhs_zp"] != 0:      # column sums of the constant rhs, cols per batch matrix
            sums = data.astype(np.int64).reshape(-1, cols, depth).sum(axis=2)
            csum = m.const_array(sums.astype(np.int32), "rhs_colsum", comment=f"{node.inputs[1]} column sums")
        m.use_kernel("dot_s8.h")
        m.use_kernel("batch_matmul_fast.h")
        m.emit(f"tinycc_batch_matmul_s8_fast({args}, {csum}, {_scratch(node, m)}, {p['lhs_zp']}, {p['rhs_zp']}, "
               f"{p['output_zp']}, {p['multiplier']}, {p['shift']});")
    elif dtype == "int8":
        m.emit(f"tinycc_batch_matmul_s8({args}, {p['lhs_zp']}, {p['rhs_zp']}, {p['output_zp']}, "
               f"{p['multiplier']}, {p['shift']});")
    elif not fast:      # int16 without its scratch
        m.emit(f"tinycc_batch_matmul_s16({args}, {p['multiplier']}, {p['shift']});")
    else:       # int16 (zero points 0): int64 sums, SMLALD pairs
        m.use_kernel("dot_s8.h")
        m.use_kernel("batch_matmul_fast.h")
        m.emit(f"tinycc_batch_matmul_s16_fast({args}, {_scratch(node, m)}, {p['multiplier']}, {p['shift']});")


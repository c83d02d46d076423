"""BATCH_MATMUL: out[..., i, j] = sum_k lhs[..., i, k] * rhs[..., k, j], the batch dimensions
broadcast (numpy's rules, ranks 2 to 5), `adj_x` / `adj_y` transposing the last two dimensions of
lhs / rhs first.

As TFLM's reference kernel: float32 accumulates in float; int8 sums (lhs - lhs_zp)(rhs - rhs_zp) in
int32 (wrapping, as TFLM's int32 sum does on a very deep product) and int16 in int64 (zero points
0), then one double-rounding rescale by lhs_scale * rhs_scale / out_scale in double (the int64
overload for int16), + out_zp, clamped to the dtype (no fused activation). Quantisation is per
tensor: TFLM reads `params.scale`, the first scale only.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "batch_matmul"
INPUTS = ("lhs", "rhs")
ATTRS = {"adj_x": False, "adj_y": False}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)     # lhs, rhs -> output (TFLM: one dtype throughout)
MAX_WIDE_DEPTH = 1 << 17    # int16: 2^30 per product; TFLM's int64 rescale asserts |sum| < 2^47
FAST_DEPTH = 1 << 17        # int8: 2^14 per raw product, so the c backend's fast sums stay in int32
SPEED_SCRATCH = True        # scratch_bytes is the fast kernels'; the plain ones need none (core/planner.py)


def dims(node, g):
    """(batch shape, lhs batch shape, rhs batch shape, rows, depth, cols), each batch shape
    extended with leading ones to the output's rank - 2; TFLM's Prepare checks."""
    lhs, rhs = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    for t in (lhs, rhs):
        if not 2 <= len(t.shape) <= 5:
            raise c.fail(node, f"{t.name!r} has shape {t.shape}; BATCH_MATMUL takes 2-D to 5-D operands")
    rank = max(len(lhs.shape), len(rhs.shape))
    lb = (1,) * (rank - len(lhs.shape)) + tuple(lhs.shape[:-2])
    rb = (1,) * (rank - len(rhs.shape)) + tuple(rhs.shape[:-2])
    batch = []
    for a, b in zip(lb, rb):
        if a != b and 1 not in (a, b):
            raise c.fail(node, f"batch dimensions of {lhs.shape} and {rhs.shape} do not broadcast")
        batch.append(max(a, b))
    a, adj_x, adj_y = node.attrs, bool(node.attrs["adj_x"]), bool(node.attrs["adj_y"])
    rows, depth = (lhs.shape[-1], lhs.shape[-2]) if adj_x else (lhs.shape[-2], lhs.shape[-1])
    rdepth, cols = (rhs.shape[-1], rhs.shape[-2]) if adj_y else (rhs.shape[-2], rhs.shape[-1])
    if depth != rdepth:
        raise c.fail(node, f"lhs {lhs.shape} (adj_x {a['adj_x']}) and rhs {rhs.shape} (adj_y {a['adj_y']}) "
                           f"disagree on the summed dimension: {depth} != {rdepth}")
    return tuple(batch), lb, rb, int(rows), int(depth), int(cols)


def fast_int8(node, g) -> bool:
    """Whether the c backend's fast int8 kernel takes this node: its raw sums of products (|l r| <=
    2^14 each) stay inside int32, depth < 2^17 (zero points are folded modulo 2^32 afterwards)."""
    _, _, _, _, depth, _ = dims(node, g)
    return g.tensors[node.inputs[0]].dtype == "int8" and depth < FAST_DEPTH


def scratch_bytes(node, g) -> int:
    """The fast kernels' working memory (backends/c/kernels/optimised/batch_matmul_fast.h):
    k-contiguous copies of the lhs (adj_x) and of an activation rhs without adj_y (TFLM transposes
    the same operands into its arena), and for int8 an activation rhs's column sums when the lhs
    zero point is not 0; nothing for float32. Speed only: the planner drops it where it would raise
    the arena's peak, and the node then takes the plain kernel."""
    lhs, rhs = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    if lhs.dtype == "int16":
        item = 2
    elif fast_int8(node, g):
        item = 1
    else:
        return 0
    _, _, _, rows, depth, cols = dims(node, g)
    size = rows * depth * item if node.attrs["adj_x"] else 0
    if not rhs.is_const:
        size += 0 if node.attrs["adj_y"] else cols * depth * item
        if item == 1 and lhs.quant is not None and int(lhs.quant.zp) != 0:
            size += 4 * cols
    return size


def infer(node, g):
    batch, _, _, rows, _, cols = dims(node, g)
    return [(*batch, rows, cols)]


def prepare(node, g):
    ins, (out,) = c.tensors(node, g)
    lhs, rhs = ins
    dtype = c.check_dtypes(node, g, DTYPES)
    if rhs.dtype != dtype or out.dtype != dtype:
        raise c.fail(node, f"lhs, rhs and output must share one dtype, got {lhs.dtype}, {rhs.dtype}, {out.dtype}",
                     hint="TF Lite Micro's BATCH_MATMUL has no hybrid or int32-output form")
    _, _, _, _, depth, _ = dims(node, g)
    if dtype == "float32":
        return {"dtype": dtype}
    for t in (lhs, rhs, out):
        if t.quant is None:
            raise c.fail(node, f"tensor {t.name!r} is {dtype} but has no quantisation parameters")
        if t.quant.scale.size != 1:
            raise c.fail(node, f"tensor {t.name!r} has {t.quant.scale.size} scales; BATCH_MATMUL is quantised "
                               "per tensor", hint="TF Lite Micro reads only the first scale")
    wide = dtype == "int16"
    if wide:
        ql.require_int16_zero_point_0((lhs, rhs, out), "int16 batch matmul")
        if depth >= MAX_WIDE_DEPTH:
            raise c.fail(node, f"int16 batch matmul sums {depth} products; TF Lite Micro's int64 rescale is "
                               f"defined for sums of fewer than {MAX_WIDE_DEPTH}")
    # TFLM's Prepare: the scale product in double (static_cast<double> of each float32 scale) over the output
    # scale; a float32 product is an ulp off at times, an LSB in the int16 rescale's 16-bit multiplier
    product = float(np.float32(lhs.quant.s)) * float(np.float32(rhs.quant.s))
    mult, shift = ql.rescale(product / float(out.quant.s),
                             f"{ql.tensor_scale(lhs)} x {ql.tensor_scale(rhs)} / {ql.tensor_scale(out)}", wide)
    lo, hi = c.INT_RANGES[dtype]
    return {"dtype": dtype, "lhs_zp": int(lhs.quant.zp), "rhs_zp": int(rhs.quant.zp), "output_zp": int(out.quant.zp),
            "multiplier": int(mult), "shift": int(shift), "act_min": lo, "act_max": hi}


def _operands(node, inputs):
    lhs, rhs = (np.asarray(v) for v in inputs)
    if node.attrs["adj_x"]:
        lhs = np.swapaxes(lhs, -1, -2)
    if node.attrs["adj_y"]:
        rhs = np.swapaxes(rhs, -1, -2)
    return lhs, rhs


def run(node, g, inputs, p):
    lhs, rhs = _operands(node, inputs)
    shape = g.tensors[node.outputs[0]].shape
    if p["dtype"] == "float32":
        return [np.matmul(lhs.astype(np.float64), rhs.astype(np.float64)).astype(np.float32).reshape(shape)]
    acc = np.matmul(lhs.astype(np.int64) - p["lhs_zp"], rhs.astype(np.int64) - p["rhs_zp"])
    wide = p["dtype"] == "int16"
    acc = acc if wide else fp.wrap32(acc)
    y = c.requantize(acc, p["multiplier"], p["shift"], p["output_zp"], p["act_min"], p["act_max"], p["dtype"],
                     wide=wide)
    return [y.reshape(shape)]


def macs(node, g):
    _, _, _, _, depth, _ = dims(node, g)
    return g.tensors[node.outputs[0]].size * depth


def _tflite_read(ctx) -> dict:
    o = ctx.o
    return {"adj_x": bool(getattr(o, "adjX", False)) if o is not None else False,
            "adj_y": bool(getattr(o, "adjY", False)) if o is not None else False}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.adjX, opt.adjY = bool(node.attrs["adj_x"]), bool(node.attrs["adj_y"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("BATCH_MATMUL", "BatchMatMulOptions", read=_tflite_read, write=_tflite_write,
                        resolver={"BATCH_MATMUL": "AddBatchMatMul"})

"""What MEAN, SUM, REDUCE_MAX and REDUCE_MIN share: the constant `axes` operand as an attribute (the
ReducerOptions codec), the axes resolved as TFLM's ResolveAxis does, the shape rule (keep_dims or not),
the dtype and rank checks, the view of the input as (outputs, reduced elements) in TFLM's row-major
reduction order, and the reference of a requantised sum (MEAN folds 1/n into its multiplier, SUM not)."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import common as c

INPUTS = ("input",)
ATTRS = {"axes": (), "keep_dims": False}
AXIS_ATTRS = {"axes": "axes"}
MAX_RANK = 6


def resolved_axes(node, rank: int) -> tuple[int, ...]:
    """The reduced axes, made non-negative, deduplicated and sorted (TFLM's ResolveAxis)."""
    axes = []
    for a in node.attrs["axes"]:
        if not -rank <= a < rank:
            raise c.fail(node, f"axis {a} is out of range for a {rank}-D input",
                         hint=f"axes must lie in [{-rank}, {rank - 1}]")
        if a % rank not in axes:
            axes.append(a % rank)
    return tuple(sorted(axes))


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axes = resolved_axes(node, len(x.shape))
    if not axes:
        raise c.fail(node, f"{node.op.upper()} with no axes to reduce is not supported",
                     hint="give the axes to reduce over, or remove the op" + (
                         " (TF Lite Micro's MEAN copies the raw input unchanged in that case)"
                         if node.op == "mean" else ""))
    if node.attrs["keep_dims"]:
        return [tuple(1 if k in axes else d for k, d in enumerate(x.shape))]
    return [tuple(d for k, d in enumerate(x.shape) if k not in axes)]


def check(node, g, dtypes) -> tuple[str, tuple[int, ...], int]:
    """(dtype, resolved axes, reduced element count); the output dtype must be the input's."""
    dtype = c.check_dtypes(node, g, dtypes)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output dtype {out.dtype} differs from input dtype {dtype}",
                     hint=f"TF Lite Micro's {node.op.upper()} writes its output in the input's dtype")
    if len(x.shape) > MAX_RANK:
        raise c.fail(node, f"{len(x.shape)}-D input is not supported (at most {MAX_RANK} dimensions)")
    axes = resolved_axes(node, len(x.shape))
    return dtype, axes, int(np.prod([x.shape[a] for a in axes], dtype=np.int64))


def rows(x: np.ndarray, axes) -> np.ndarray:
    """x as (outputs, reduced elements): kept axes first, both groups in row-major order."""
    kept = [k for k in range(x.ndim) if k not in axes]
    outer = int(np.prod([x.shape[k] for k in kept], dtype=np.int64))
    return np.transpose(x, kept + list(axes)).reshape(outer, -1)


def run_sum(node, g, inputs, p, finish_f32=None):
    """The reference of a sum over the reduced axes. float32: added left to right in float32 (TFLM's
    order), then `finish_f32` (MEAN divides by n). Integer (QuantizedMeanOrSum): the int32 sum minus
    n * zp_in (wrapped), one MultiplyByQuantizedMultiplier by prepare's (multiplier, shift), + zp_out,
    clamped. An empty reduction gives zeros."""
    r = rows(inputs[0], p["axes"])
    out_shape = g.tensors[node.outputs[0]].shape
    if p["dtype"] == "float32":
        if r.shape[1] == 0:
            return [np.zeros(out_shape, dtype=np.float32)]
        # cumsum adds strictly left to right in float32 (np.sum would sum pairwise)
        total = np.cumsum(r.astype(np.float32), axis=1, dtype=np.float32)[:, -1]
        if finish_f32 is not None:
            total = finish_f32(total)
        return [total.astype(np.float32).reshape(out_shape)]
    if r.shape[1] == 0:
        return [np.zeros(out_shape, dtype=p["dtype"])]
    total = fp.wrap32(r.astype(np.int64).sum(axis=1) - p["input_zp"] * p["count"])
    y = fp.wrap32(fp.multiply_by_quantized_multiplier(total, p["multiplier"], p["shift"]) + p["output_zp"])
    return [np.clip(y, p["act_min"], p["act_max"]).astype(p["dtype"]).reshape(out_shape)]


def read(ctx) -> dict:
    axes = ctx.const(1, f"{ctx.tflite_name} axes")
    keep = bool(getattr(ctx.o, "keepDims", False)) if ctx.o is not None else False
    return {"axes": tuple(int(a) for a in axes.reshape(-1)), "keep_dims": keep}


def write(ctx, node, inputs):
    inputs = inputs[:1] + [ctx.const_int32(node, "axes", node.attrs["axes"])]
    opt = ctx.options()
    opt.keepDims = bool(node.attrs["keep_dims"])
    return ctx.builtin, opt, inputs


def prepare_sum(node, g, dtypes, mean: bool) -> dict:
    """SUM's and MEAN's prepare: check(), then for integers QuantizeMultiplier(s_in / s_out) in double;
    MEAN folds 1/n in (k = min(floor(log2 n), 32, 31 + shift), multiplier = (m << k) / n, shift -= k)."""
    dtype, axes, count = check(node, g, dtypes)
    p = {"dtype": dtype, "axes": axes, "count": count}
    if dtype == "float32":
        return p
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    m, shift = ql.scale_ratio(x.quant.s, out.quant.s, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
    fold = min(count.bit_length() - 1, 32, 31 + shift) if mean and count > 0 else 0
    multiplier = (m << fold) // count if mean and count > 0 else m
    lo, hi = c.INT_RANGES[dtype]
    return {**p, "input_zp": int(x.quant.zp), "output_zp": int(out.quant.zp),
            "multiplier": int(multiplier), "shift": int(shift - fold), "act_min": lo, "act_max": hi}

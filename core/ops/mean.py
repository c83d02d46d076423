"""MEAN over the given axes, as TFLM's reduce kernels (EvalMeanHelper -> QuantizedMeanOrSum / Mean).

Integer (int8, int16): TFLM takes the same path whether or not input and output quantisation are
equal. The int32 sum over the reduced axes, minus n * zp_in (wrapped to int32), is rescaled by
one double-rounding MultiplyByQuantizedMultiplier whose multiplier folds s_in / s_out and 1 / n
together: (m, shift) = QuantizeMultiplier(s_in / s_out) in double, k = min(floor(log2 n), 32,
31 + shift), multiplier = (m << k) / n (int64 division), shift -= k; then + zp_out, clamped to
the dtype's range. There is no fused activation.
float32: a float32 sum accumulated in row-major order over the reduced elements (the order of
TFLM's Reduce loop, and of the 4-D axes (1, 2) special case), then divided by float(n); the
reference sums in that order, so it is bit-exact with TFLM.
Refused: no axes (TFLM then copies the raw input, ignoring the quantisation), out-of-range axes,
an output dtype other than the input's, inputs of more than 6 dimensions.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "mean"
INPUTS = ("input",)
ATTRS = {"axes": (), "keep_dims": False}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
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
        raise c.fail(node, "MEAN with no axes to reduce is not supported",
                     hint="TF Lite Micro copies the raw input unchanged in that case; remove the op "
                          "or give the axes to average over")
    if node.attrs["keep_dims"]:
        return [tuple(1 if k in axes else d for k, d in enumerate(x.shape))]
    return [tuple(d for k, d in enumerate(x.shape) if k not in axes)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output dtype {out.dtype} differs from input dtype {dtype}",
                     hint="TF Lite Micro's MEAN writes its output in the input's dtype")
    if len(x.shape) > MAX_RANK:
        raise c.fail(node, f"{len(x.shape)}-D input is not supported (at most {MAX_RANK} dimensions)")
    axes = resolved_axes(node, len(x.shape))
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    p = {"dtype": dtype, "axes": axes, "count": count}
    if dtype == "float32":
        return p
    m, shift = ql.scale_ratio(x.quant.s, out.quant.s, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
    fold = min(count.bit_length() - 1, 32, 31 + shift) if count > 0 else 0
    multiplier = (m << fold) // count if count > 0 else m
    lo, hi = c.INT_RANGES[dtype]
    return {**p, "input_zp": int(x.quant.zp), "output_zp": int(out.quant.zp),
            "multiplier": int(multiplier), "shift": int(shift - fold), "act_min": lo, "act_max": hi}


def _reduced_last(x: np.ndarray, axes) -> np.ndarray:
    """x as (outputs, reduced elements): kept axes first, both groups in row-major order."""
    kept = [k for k in range(x.ndim) if k not in axes]
    outer = int(np.prod([x.shape[k] for k in kept], dtype=np.int64))
    return np.transpose(x, kept + list(axes)).reshape(outer, -1)


def run(node, g, inputs, p):
    x = inputs[0]
    out_shape = g.tensors[node.outputs[0]].shape
    rows = _reduced_last(x, p["axes"])
    if p["dtype"] == "float32":
        if rows.shape[1] == 0:
            return [np.zeros(out_shape, dtype=np.float32)]
        # cumsum adds strictly left to right in float32 (np.sum would sum pairwise)
        total = np.cumsum(rows.astype(np.float32), axis=1, dtype=np.float32)[:, -1]
        return [(total / np.float32(p["count"])).astype(np.float32).reshape(out_shape)]
    if rows.shape[1] == 0:
        return [np.zeros(out_shape, dtype=p["dtype"])]
    total = fp.wrap32(rows.astype(np.int64).sum(axis=1) - p["input_zp"] * p["count"])
    y = fp.wrap32(fp.multiply_by_quantized_multiplier(total, p["multiplier"], p["shift"]) + p["output_zp"])
    return [np.clip(y, p["act_min"], p["act_max"]).astype(p["dtype"]).reshape(out_shape)]


def macs(node, g):
    return g.tensors[node.inputs[0]].size


def _tflite_read(ctx) -> dict:
    axes = ctx.const(1, "MEAN axes")
    keep = bool(getattr(ctx.o, "keepDims", False)) if ctx.o is not None else False
    return {"axes": tuple(int(a) for a in axes.reshape(-1)), "keep_dims": keep}


def _tflite_write(ctx, node, inputs):
    inputs = inputs[:1] + [ctx.const_int32(node, "axes", node.attrs["axes"])]
    opt = ctx.options()
    opt.keepDims = bool(node.attrs["keep_dims"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("MEAN", "ReducerOptions", operands=1, read=_tflite_read, write=_tflite_write)

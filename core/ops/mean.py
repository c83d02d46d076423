"""MEAN over the given axes, as TFLM's reduce kernels (EvalMean / QuantizedMeanOrSum).

Integer: the int32 sum minus n * zp_in, rescaled by one double-rounding multiplier that folds
s_in / s_out and 1 / n together (QuantizeMultiplier(s_in / s_out), shifted left by
min(floor(log2 n), 32, 31 + shift) and divided by n), + zp_out, clamped. float32: sum / n.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import common as c

NAME = "mean"
INPUTS = ("input",)
ATTRS = {"axes": (), "keep_dims": False}
DTYPES = ("int8", "int16", "float32")


def resolved_axes(node, rank: int) -> tuple[int, ...]:
    axes = []
    for a in node.attrs["axes"]:
        if not -rank <= a < rank:
            raise c.fail(node, f"axis {a} is out of range for a {rank}-D input")
        if a % rank not in axes:
            axes.append(a % rank)
    return tuple(sorted(axes))


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axes = resolved_axes(node, len(x.shape))
    if not axes:
        raise c.fail(node, "MEAN needs at least one axis")
    if node.attrs["keep_dims"]:
        return [tuple(1 if k in axes else d for k, d in enumerate(x.shape))]
    return [tuple(d for k, d in enumerate(x.shape) if k not in axes)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    axes = resolved_axes(node, len(x.shape))
    count = int(np.prod([x.shape[a] for a in axes]))
    p = {"dtype": dtype, "axes": axes, "count": count}
    if dtype == "float32":
        return p
    m, shift = fp.quantize_multiplier(float(x.quant.s) / float(out.quant.s))
    extra = min(count.bit_length() - 1, 32, 31 + shift)
    return {**p, "input_zp": x.quant.zp, "output_zp": out.quant.zp,
            "multiplier": (m << extra) // count, "shift": shift - extra}


def run(node, g, inputs, p):
    x = inputs[0]
    out_shape = g.tensors[node.outputs[0]].shape
    if p["dtype"] == "float32":
        total = x.astype(np.float32).sum(axis=p["axes"], dtype=np.float32)
        return [(total / np.float32(p["count"])).astype(np.float32).reshape(out_shape)]
    total = fp.wrap32(x.astype(np.int64).sum(axis=p["axes"]) - p["input_zp"] * p["count"])
    y = fp.multiply_by_quantized_multiplier(total, p["multiplier"], p["shift"]) + p["output_zp"]
    lo, hi = c.INT_RANGES[p["dtype"]]
    return [np.clip(y, lo, hi).astype(p["dtype"]).reshape(out_shape)]


def macs(node, g):
    return g.tensors[node.inputs[0]].size

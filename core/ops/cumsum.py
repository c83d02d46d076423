"""CUMSUM: the running sum along one axis (TFLM kernels/cumsum.cc, reference_ops::CumSum), with the
`exclusive` (each output is the sum of the elements before it) and `reverse` (summed from the end)
options. The axis is a constant int32 operand (TFLM reads it at run time; a one-element constant
here), negative values counting from the rank.

float32: a float32 accumulator, element by element in axis order (np.cumsum's sequential order).
int8: TFLM's quantised path with a fixed left shift of 20: each input minus its zero point is
shifted left by 20 and rescaled by QuantizeMultiplierSmallerThanOneExp(0.5); the accumulator STARTS
at the rescaled -zero_point (TFLM's quirk, not 0) and adds in int32 (wrapping, as TFLM's compiled
code does, on long axes); each output is the accumulator rescaled by 2 s_in / (2^20 s_out) (which
must be below 1: s_in / s_out < 2^19) plus the output zero point, clamped to int8.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "cumsum"
INPUTS = ("input",)
ATTRS = {"axis": 0, "exclusive": False, "reverse": False}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernel)
AXIS_ATTRS = {"axis": "axis"}
LEFT_SHIFT = 20                                          # TFLM's kCumSumIntegerShift


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if len(x.shape) < 1:
        raise c.fail(node, "CUMSUM needs an input of at least one dimension", hint="TF Lite Micro checks it")
    mv.axis(node, node.attrs["axis"], len(x.shape))
    return [x.shape]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output {out.name!r} is {out.dtype}, the input is {dtype}",
                     hint="TF Lite Micro's CUMSUM keeps the input's type")
    axis = mv.axis(node, node.attrs["axis"], len(x.shape))
    for key in ("exclusive", "reverse"):
        if not isinstance(node.attrs.get(key), (bool, np.bool_)):
            raise c.fail(node, f"option {key} {node.attrs.get(key)!r} must be a boolean")
    shape = x.shape
    p = {"dtype": dtype, "axis": axis, "exclusive": bool(node.attrs["exclusive"]),
         "reverse": bool(node.attrs["reverse"]),
         "outer": int(np.prod(shape[:axis], dtype=np.int64)), "depth": int(shape[axis]),
         "inner": int(np.prod(shape[axis + 1:], dtype=np.int64))}
    if dtype == "int8":
        qi, qo = c.qparams(node, x), c.qparams(node, out)
        twice = 2 * float(qi.s)
        p["input_multiplier"], p["input_shift"] = ql.rescale_below_one(
            float(qi.s) / twice, f"{ql.tensor_scale(x)} / (2 x itself)")
        p["output_multiplier"], p["output_shift"] = ql.rescale_below_one(
            twice / ((1 << LEFT_SHIFT) * float(qo.s)), f"2 x {ql.tensor_scale(x)} / (2^20 x {ql.tensor_scale(out)})")
        p["input_zp"], p["output_zp"] = int(qi.zp), int(qo.zp)
        p["start"] = int(fp.multiply_by_quantized_multiplier(np.int64(-p["input_zp"] * (1 << LEFT_SHIFT)),
                                                             p["input_multiplier"], p["input_shift"]))
    return p


def _scan(v: np.ndarray, start, p) -> np.ndarray:
    """Running sums of v (outer, depth, inner) along depth from `start`, with the options applied
    (float32: in float32, from +0.0; int: in int32, wrapping)."""
    if p["reverse"]:
        v = v[:, ::-1]
    if v.dtype == np.float32:
        acc = np.cumsum(v, axis=1, dtype=np.float32) + np.float32(0)
    else:
        acc = fp.wrap32(np.cumsum(v, axis=1) + start)
    if p["exclusive"]:
        acc = np.concatenate([np.full_like(acc[:, :1], start), acc[:, :-1]], axis=1)
    return acc[:, ::-1] if p["reverse"] else acc


def run(node, g, inputs, p):
    x = inputs[0]
    v = x.reshape(p["outer"], p["depth"], p["inner"])
    if p["dtype"] == "float32":
        return [_scan(v.astype(np.float32), np.float32(0), p).reshape(x.shape)]
    mbqm = fp.multiply_by_quantized_multiplier
    shifted = (v.astype(np.int64) - p["input_zp"]) * (1 << LEFT_SHIFT)
    scaled = mbqm(shifted, p["input_multiplier"], p["input_shift"])
    acc = _scan(scaled.astype(np.int64), p["start"], p)
    y = fp.wrap32(mbqm(acc, p["output_multiplier"], p["output_shift"]) + p["output_zp"])
    return [np.clip(y, -128, 127).astype(np.int8).reshape(x.shape)]


def macs(node, g):
    return g.tensors[node.inputs[0]].size


def _tflite_read(ctx) -> dict:
    axis = ctx.const(1, "CUMSUM axis")
    if axis.dtype != np.int32 or axis.size != 1:
        raise ctx.fail(f"the axis operand must be one int32 value, got {axis.dtype} of shape {axis.shape}",
                       hint="TF Lite Micro's CUMSUM checks it")
    o = ctx.o
    return {"axis": int(axis.reshape(-1)[0]), "exclusive": bool(getattr(o, "exclusive", False)) if o else False,
            "reverse": bool(getattr(o, "reverse", False)) if o else False}


def _tflite_write(ctx, node, inputs):
    inputs = inputs[:1] + [ctx.const_int32(node, "axis", [int(node.attrs["axis"])])]
    opt = ctx.options()
    opt.exclusive, opt.reverse = bool(node.attrs["exclusive"]), bool(node.attrs["reverse"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("CUMSUM", "CumsumOptions", operands=1, read=_tflite_read, write=_tflite_write)

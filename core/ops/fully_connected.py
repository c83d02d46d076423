"""FULLY_CONNECTED: y = x @ W^T + b, W of shape (units, in_features); input flattened to rows.

int8 follows TFLM's reference_integer_ops::FullyConnected: (w - w_zp)*(x - x_zp) accumulated
in int32, + bias, one double-rounding rescale (per-tensor, or per-channel when the weights
are), + output_zp, clamp. 16x8 accumulates in int64 and uses the int64 rescale (per-tensor, or
per-channel as TFLM's FullyConnectedPerChannel: TF 2.21's converter quantises 16x8 weights per channel).
"""
from __future__ import annotations

import numpy as np

from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "fully_connected"
INPUTS = ("input", "weights", "bias?")
ATTRS = {"activation": "none", "keep_num_dims": False}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = ("int8, int8, int32 -> int8", "int16, int8, int64 -> int16",    # input, weights, bias -> output
              "float32, float32, float32 -> float32")
# tinycc's PTQ quantises the weights per output channel (axis 0), as TF 2.21's converter does: per-tensor
# weights lost 6 dB SQNR on a dense autoencoder (tests/test_model_zoo.py)
FUSED_ACTIVATION, WEIGHTED, WEIGHT_QUANT_AXIS = True, True, 0


def infer(node, g):
    ins, _ = c.tensors(node, g)
    x, w = ins[0], ins[1]
    if len(w.shape) != 2:
        raise c.fail(node, f"weights must be 2-D (units, in_features), got {w.shape}")
    units, depth = w.shape
    if x.size % depth:
        raise c.fail(node, f"input of {x.size} elements cannot be split into rows of {depth}")
    if len(ins) > 2 and ins[2] is not None and ins[2].size != units:
        raise c.fail(node, f"bias has {ins[2].size} values for {units} units")
    if node.attrs["keep_num_dims"]:
        return [tuple(x.shape[:-1]) + (units,)]
    return [(x.size // depth, units)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    ins, (out,) = c.tensors(node, g)
    x, w = ins[0], ins[1]
    if dtype == "float32":
        c.check_float_weights(node, g)
        return {"dtype": dtype}
    if w.quant is None or w.dtype != "int8":
        raise c.fail(node, f"{dtype} fully connected needs int8 quantised weights, got {w.dtype}")
    wide = dtype == "int16"
    ql.require_int16_zero_point_0((x, out), "(16x8) fully connected")
    bias = ins[2] if len(ins) > 2 else None
    if w.quant.per_channel:
        if w.quant.scale.size != w.shape[0]:
            raise c.fail(node, f"weights {w.name!r} have {w.quant.scale.size} per-channel scales for "
                               f"{w.shape[0]} units", hint="per-channel weights are quantised along axis 0")
        mult, shift = c.channel_multipliers(x.quant.s, w.quant.scale, out.quant.s, w.shape[0],
                                            (x.name, w.name, out.name), wide)
    else:
        # GetQuantizedConvolutionMultipler: the bias scale must be input scale x weight scale (to 2% of an
        # output step, the product in double), and the multiplier is the scale product, also in double,
        # over the output scale (a float32 product is an ulp off at times: an LSB in the 16x8 rescale)
        if bias is not None and bias.quant is not None:
            exact, bias_scale = float(x.quant.s) * float(w.quant.s), bias.quant.s
            if not abs(exact - bias_scale) / float(out.quant.s) <= 0.02:
                raise c.fail(node, f"bias {bias.name!r} scale {bias_scale:g} is not input scale x weight scale "
                                   f"({exact:g}) to 2% of the output scale {out.quant.s:g}",
                             hint="the TFLite quantisation spec requires it; TF Lite Micro refuses such a model")
        product = float(np.float32(x.quant.s)) * float(np.float32(w.quant.s))
        m, s = ql.rescale(product / float(out.quant.s),
                          f"{ql.tensor_scale(x)} x {ql.tensor_scale(w)} / {ql.tensor_scale(out)}", wide)
        mult, shift = np.array([m], dtype=np.int64), np.array([s], dtype=np.int64)
    if wide:
        ql.check_wide_bias(bias, w.shape[1], "fully connected")
    lo, hi = c.activation_range(node.attrs["activation"], out)
    return {"dtype": dtype, "input_zp": x.quant.zp, "weights_zp": w.quant.zp, "output_zp": out.quant.zp,
            "multiplier": mult, "shift": shift, "act_min": lo, "act_max": hi}


def run(node, g, inputs, p):
    x, w = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    out_shape = g.tensors[node.outputs[0]].shape
    rows = x.reshape(-1, w.shape[1])
    if p["dtype"] == "float32":
        acc = rows.astype(np.float64) @ w.astype(np.float64).T
        if bias is not None:
            acc = acc + bias
        y = c.apply_float_activation(acc.astype(np.float32), node.attrs["activation"])
        return [y.reshape(out_shape)]
    acc = ((rows.astype(np.float64) - p["input_zp"]) @ (w.astype(np.float64) - p["weights_zp"]).T).astype(np.int64)
    if bias is not None:
        acc += bias.astype(np.int64)
    y = c.requantize(acc, p["multiplier"], p["shift"], p["output_zp"], p["act_min"], p["act_max"],
                     p["dtype"], wide=p["dtype"] == "int16")
    return [y.reshape(out_shape)]


def macs(node, g):
    w = g.tensors[node.inputs[1]]
    return g.tensors[node.outputs[0]].size * w.shape[1]


def _tflite_read(ctx) -> dict:
    fmt = int(getattr(ctx.o, "weightsFormat", 0)) if ctx.o is not None else 0
    if fmt != 0:
        raise ctx.fail(f"weights format {ctx.enum_name('FullyConnectedOptionsWeightsFormat', fmt)} is not supported",
                       hint="only DEFAULT (0) weights; convert without weight shuffling")
    keep = bool(getattr(ctx.o, "keepNumDims", False)) if ctx.o is not None else False
    return {"activation": ctx.activation, "keep_num_dims": keep}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.fusedActivationFunction = ctx.activation_code
    opt.keepNumDims = bool(node.attrs["keep_num_dims"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("FULLY_CONNECTED", "FullyConnectedOptions", read=_tflite_read, write=_tflite_write)

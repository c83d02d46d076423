"""FULLY_CONNECTED: y = x @ W^T + b, W of shape (units, in_features); input flattened to rows.

int8 follows TFLM's reference_integer_ops::FullyConnected: (w - w_zp)*(x - x_zp) accumulated
in int32, + bias, one double-rounding rescale (per-tensor, or per-channel when the weights
are), + output_zp, clamp. 16x8 accumulates in int64 and uses the int64 rescale.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import common as c

NAME = "fully_connected"
INPUTS = ("input", "weights", "bias?")
ATTRS = {"activation": "none", "keep_num_dims": False}
DTYPES = ("int8", "int16", "float32")


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
    if w.quant.per_channel:
        mult, shift = c.channel_multipliers(x.quant.s, w.quant.scale, out.quant.s, w.shape[0])
    else:
        # GetQuantizedConvolutionMultipler: the scale product is taken in float32, then widened
        product = float(np.float32(x.quant.s) * np.float32(w.quant.s))
        bias = ins[2] if len(ins) > 2 else None
        if bias is not None and bias.quant is not None and abs(product - bias.quant.s) / out.quant.s > 0.02:
            raise c.fail(node, f"bias scale {bias.quant.s:g} is not input scale x weight scale ({product:g})",
                         hint="the TFLite quantisation spec requires it; TF Lite Micro refuses such a model")
        real = product / float(out.quant.s)
        m, s = fp.quantize_multiplier(real)
        mult, shift = np.array([m], dtype=np.int64), np.array([s], dtype=np.int64)
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

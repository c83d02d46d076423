"""DEPTHWISE_CONV_2D: per-channel 2-D convolution, filter (1, KH, KW, C*M), depth multiplier M.

Output channel oc reads input channel oc // M. int8/16x8 rescale as TFLM's
reference_integer_ops::DepthwiseConvPerChannel (same arithmetic as conv_2d).
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "depthwise_conv_2d"
INPUTS = ("input", "filter", "bias?")
ATTRS = {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 0, 0), "activation": "none",
         "depth_multiplier": 1}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = ("int8, int8, int32 -> int8", "int16, int8, int64 -> int16",    # input, weights, bias -> output
              "float32, float32, float32 -> float32")
FUSED_ACTIVATION, WEIGHTED, WEIGHT_QUANT_AXIS, WINDOWED = True, True, 3, True   # per output channel
IN_PLACE, BANDABLE = "rows", True


def infer(node, g):
    ins, _ = c.tensors(node, g)
    x, w = ins[0], ins[1]
    if len(x.shape) != 4 or len(w.shape) != 4 or w.shape[0] != 1:
        raise c.fail(node, f"expects 4-D input and a (1,KH,KW,C) filter, got {x.shape} and {w.shape}")
    n, h, wd, ci = x.shape
    _, kh, kw, co = w.shape
    m = node.attrs["depth_multiplier"]
    if m <= 0 or co != ci * m:
        # TFLite files often carry a stale multiplier; the filter's channels are the truth
        if ci == 0 or co % ci:
            raise c.fail(node, f"filter channels {co} are not a multiple of input channels {ci}")
        node.attrs["depth_multiplier"] = co // ci
    return [c.conv_spatial_output(node, g, kh, kw, co)]


def prepare(node, g):
    return c.weighted_prepare(node, g, DTYPES, g.tensors[node.inputs[1]].shape[3], "depthwise convolution")


def accumulate(x: np.ndarray, w: np.ndarray, a: dict, out_shape) -> np.ndarray:
    m = a["depth_multiplier"]
    xp = c.pad_nhwc(x, a["pads"], 0)
    if m > 1:
        xp = np.repeat(xp, m, axis=3)
    acc = np.zeros(out_shape, dtype=np.float64)
    for kh in range(w.shape[1]):
        for kw in range(w.shape[2]):
            acc += c.window_slices(xp, kh, kw, a["strides"], a["dilations"], out_shape[1:3]) * w[0, kh, kw, :]
    return acc


def run(node, g, inputs, p):
    out_shape = g.tensors[node.outputs[0]].shape
    return c.weighted_run(node, inputs, p, lambda x, w: accumulate(x, w, node.attrs, out_shape))


def macs(node, g):
    w = g.tensors[node.inputs[1]]
    return g.tensors[node.outputs[0]].size * w.shape[1] * w.shape[2]


def _tflite_read(ctx) -> dict:
    attrs = _tflite.read_conv(ctx)
    x, w, m = ctx.x, ctx.input(1), int(ctx.o.depthMultiplier)
    if m < 1 or x.shape[3] * m != w.shape[3]:
        raise ctx.fail(f"depth multiplier {m} does not match the shapes: input "
                       f"{x.name!r} has {x.shape[3]} channels, filter {w.name!r} has {w.shape[3]}",
                       hint="TF Lite Micro computes output channel c * multiplier + m from input channel c; "
                            "filter channels must be input channels x multiplier")
    return {**attrs, "depth_multiplier": m}


def _tflite_write(ctx, node, inputs):
    builtin, opt, inputs = _tflite.write_conv(ctx, node, inputs)
    opt.depthMultiplier = int(node.attrs["depth_multiplier"])
    return builtin, opt, inputs


TFLITE = _tflite.TFLite("DEPTHWISE_CONV_2D", "DepthwiseConv2DOptions", required=True, read=_tflite_read,
                        write=_tflite_write, resolver={"DEPTHWISE_CONV_2D": "AddDepthwiseConv2D"})

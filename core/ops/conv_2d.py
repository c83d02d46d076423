"""CONV_2D: 2-D convolution, NHWC input, OHWI filter, optional bias, fused activation.

int8 and int16 ("16x8") follow TFLM's reference_integer_ops::ConvPerChannel: int32 (int64 for
16x8) accumulation of filter * (input - input_zp), + bias, per-channel double-rounding rescale,
+ output_zp, clamp. Padding is explicit: pads = (top, left, bottom, right).
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "conv_2d"
INPUTS = ("input", "filter", "bias?")
ATTRS = {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 0, 0), "activation": "none"}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = ("int8, int8, int32 -> int8", "int16, int8, int64 -> int16",    # input, weights, bias -> output
              "float32, float32, float32 -> float32")
FUSED_ACTIVATION, WEIGHTED, WEIGHT_QUANT_AXIS, WINDOWED = True, True, 0, True   # per output channel
IN_PLACE, BANDABLE = "rows", True
TFLITE = _tflite.TFLite("CONV_2D", "Conv2DOptions", required=True, read=_tflite.read_conv, write=_tflite.write_conv,
                        resolver={"CONV_2D": "AddConv2D"})


def infer(node, g):
    ins, _ = c.tensors(node, g)
    x, w = ins[0], ins[1]
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise c.fail(node, f"expects 4-D input and filter, got {x.shape} and {w.shape}")
    n, h, wd, ci = x.shape
    co, kh, kw, wci = w.shape
    if wci == 0 or ci % wci:
        raise c.fail(node, f"input channels {ci} do not match filter channels {wci}")
    if ci != wci:
        raise c.fail(node, f"grouped convolution ({ci} input channels, filter has {wci}) is not supported")
    return [c.conv_spatial_output(node, g, kh, kw, co)]


def prepare(node, g):
    return c.weighted_prepare(node, g, DTYPES, g.tensors[node.inputs[1]].shape[0], "convolution")


def accumulate(x: np.ndarray, w: np.ndarray, a: dict, out_shape) -> np.ndarray:
    """Sum over taps of x_window @ w_tap, exact in float64 for int operands (|acc| < 2^53)."""
    xp = c.pad_nhwc(x, a["pads"], 0)
    n, oh, ow, co = out_shape
    acc = np.zeros((n, oh, ow, co), dtype=np.float64)
    for kh in range(w.shape[1]):
        for kw in range(w.shape[2]):
            win = c.window_slices(xp, kh, kw, a["strides"], a["dilations"], (oh, ow))
            acc += win @ w[:, kh, kw, :].T
    return acc


def run(node, g, inputs, p):
    out_shape = g.tensors[node.outputs[0]].shape
    return c.weighted_run(node, inputs, p, lambda x, w: accumulate(x, w, node.attrs, out_shape))


def macs(node, g):
    w = g.tensors[node.inputs[1]]
    out = g.tensors[node.outputs[0]]
    return out.size * w.shape[1] * w.shape[2] * w.shape[3]

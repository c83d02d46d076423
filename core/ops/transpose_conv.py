"""TRANSPOSE_CONV: the gradient of a 2-D convolution, NHWC input, OHWI filter, optional bias.

Every input pixel scatters input * filter into a (kh x kw) window of the output at
(iy * stride - pad_top, ix * stride - pad_left); windows falling outside the output are cut off
(TFLM's reference kernels). The output shape is TFLite's constant `output_shape` operand; the pads
are TFLM's: those of a convolution with this window and strides over the *output*
(ComputePaddingHeightWidth, dilation 1), of which only the leading (top, left) ones matter.
int8 accumulates (input - input_zp) * filter in int32 (wrapping) and 16x8 input * filter in int64,
both + bias, then the per-channel double-rounding rescale (+ output_zp for int8) and the fused
activation's clamp; float32 accumulates in float32, + bias, then the fused activation.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "transpose_conv"
INPUTS = ("input", "filter", "bias?")
ATTRS = {"output_shape": (), "strides": (1, 1), "padding": "valid", "activation": "none"}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = ("int8, int8, int32 -> int8", "int16, int8, int64 -> int16",    # input, filter, bias -> output
              "float32, float32, float32 -> float32")
FUSED_ACTIVATION, WEIGHTED, WEIGHT_QUANT_AXIS = True, True, 0       # per output channel
PADDINGS = ("same", "valid")
MAX_STRIDE = 1 << 16


def pads(node, g) -> tuple[int, int]:
    """(top, left): TFLM's padding of a stride-s convolution over the output (dilation 1)."""
    a = node.attrs
    if a["padding"] != "same":
        return 0, 0
    w = g.tensors[node.inputs[1]]
    out = a["output_shape"]
    top = c.same_padding(out[1], w.shape[1], a["strides"][0], 1)[0]
    left = c.same_padding(out[2], w.shape[2], a["strides"][1], 1)[0]
    return top, left


def infer(node, g):
    ins, _ = c.tensors(node, g)
    x, w = ins[0], ins[1]
    a = node.attrs
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise c.fail(node, f"expects 4-D input and filter, got {x.shape} and {w.shape}")
    strides = tuple(a["strides"])
    if len(strides) != 2 or any(not isinstance(s, (int, np.integer)) or isinstance(s, bool) or not 1 <= s <= MAX_STRIDE
                                for s in strides):
        raise c.fail(node, f"strides {strides!r} must be 2 integers in 1..{MAX_STRIDE:,}",
                     hint="the file is probably corrupted")
    if a["padding"] not in PADDINGS:
        raise c.fail(node, f"padding {a['padding']!r} is not SAME or VALID", hint="the file is probably corrupted")
    shape = tuple(a["output_shape"])
    if len(shape) != 4 or any(not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 1 for d in shape):
        raise c.fail(node, f"output shape {shape!r} must be 4 positive integers (N, H, W, C)")
    co, _, _, wci = w.shape
    if wci != x.shape[3]:
        raise c.fail(node, f"input channels {x.shape[3]} do not match filter channels {wci}")
    if shape[0] != x.shape[0]:
        raise c.fail(node, f"output shape {shape} has batch {shape[0]}, the input {x.shape[0]}")
    if shape[3] != co:
        raise c.fail(node, f"output shape {shape} has {shape[3]} channels, the filter {co}")
    if len(ins) > 2 and ins[2] is not None and ins[2].size != co:
        raise c.fail(node, f"bias has {ins[2].size} values for {co} output channels")
    return [tuple(int(d) for d in shape)]


def prepare(node, g):
    w = g.tensors[node.inputs[1]]
    p = c.weighted_prepare(node, g, DTYPES, w.shape[0], "transpose convolution")
    p["pads"] = pads(node, g)
    return p


def accumulate(x: np.ndarray, w: np.ndarray, strides, top_left, out_shape) -> np.ndarray:
    """The scatter of every input pixel through the filter, cut to the output, exact in float64
    for integer operands (|acc| < 2^53). Only the input rows and columns that land in the output
    are visited, so hostile strides cost nothing."""
    n, oh, ow, co = out_shape
    _, kh, kw, _ = w.shape
    h, wd = x.shape[1:3]
    sh, sw = strides
    top, left = top_left
    acc = np.zeros((n, oh, ow, co), dtype=np.float64)

    def span(ky, size, stride, pad, out):
        # input indices i with 0 <= i * stride - pad + ky < out
        first = max(0, -(-(pad - ky) // stride))
        last = min(size - 1, (out - 1 + pad - ky) // stride)
        return first, last

    for ky in range(kh):
        y0, y1 = span(ky, h, sh, top, oh)
        if y1 < y0:
            continue
        for kx in range(kw):
            x0, x1 = span(kx, wd, sw, left, ow)
            if x1 < x0:
                continue
            part = x[:, y0:y1 + 1, x0:x1 + 1, :] @ w[:, ky, kx, :].T
            oy0, ox0 = y0 * sh - top + ky, x0 * sw - left + kx
            acc[:, oy0:oy0 + (y1 - y0) * sh + 1:sh, ox0:ox0 + (x1 - x0) * sw + 1:sw, :] += part
    return acc


def run(node, g, inputs, p):
    out_shape = g.tensors[node.outputs[0]].shape
    return c.weighted_run(node, inputs, p,
                          lambda x, w: accumulate(x, w, node.attrs["strides"], p["pads"], out_shape))


def macs(node, g):
    x, w = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    return x.size * w.shape[0] * w.shape[1] * w.shape[2]


def _tflite_read(ctx) -> dict:
    shape = ctx.const(0, "TRANSPOSE_CONV output shape")
    if shape.size != 4:
        raise ctx.fail(f"output shape {shape.reshape(-1).tolist()} must have 4 values (N, H, W, C)")
    o = ctx.o
    padding = int(o.padding)
    if padding not in (_tflite.PADDING_SAME, _tflite.PADDING_VALID):
        raise ctx.fail(f"padding {ctx.enum_name('Padding', padding)} is not SAME or VALID")
    return {"output_shape": tuple(int(d) for d in shape.reshape(-1)), "strides": (int(o.strideH), int(o.strideW)),
            "padding": "same" if padding == _tflite.PADDING_SAME else "valid", "activation": ctx.activation}


def _tflite_write(ctx, node, inputs):
    a = node.attrs
    opt = ctx.options()
    opt.padding = _tflite.PADDING_SAME if a["padding"] == "same" else _tflite.PADDING_VALID
    opt.strideH, opt.strideW = (int(v) for v in a["strides"])
    opt.fusedActivationFunction = ctx.activation_code
    shape = ctx.const_int32(node, "output_shape", a["output_shape"])
    return ctx.builtin, opt, [shape, inputs[1], inputs[0], *inputs[2:]]


TFLITE = _tflite.TFLite("TRANSPOSE_CONV", "TransposeConvOptions", required=True, inputs=(2, 1, 3),
                        read=_tflite_read, write=_tflite_write)

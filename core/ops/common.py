"""Helpers shared by the operator definitions: fused activations, padding, requantisation.

Each rule mirrors what TF Lite Micro's reference kernels compute in Prepare/Eval, so that a
reference kernel and every backend derive identical integer constants.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.errors import TinyccError, Unsupported
from tinycc.core.graph import Graph, Node, Quant, Tensor

ACTIVATIONS = ("none", "relu", "relu6", "relu_n1_to_1")
MAX_PADDED_ELEMENTS = 1 << 27      # the padded input a convolution's reference kernel builds (float64: 1 GiB)
INT_RANGES = {"int8": (-128, 127), "int16": (-32768, 32767), "int32": (-(1 << 31), (1 << 31) - 1),
              "uint8": (0, 255), "uint32": (0, (1 << 32) - 1)}


def fail(node: Node, message: str, hint: str | None = None) -> TinyccError:
    return TinyccError(message, node=node.name, op=node.op, hint=hint)


def tensors(node: Node, g: Graph) -> tuple[list[Tensor | None], list[Tensor]]:
    ins = [g.tensors[n] if n is not None else None for n in node.inputs]
    return ins, [g.tensors[n] for n in node.outputs]


def required(node: Node, ins: list[Tensor | None], k: int) -> Tensor:
    """Input `k` of a role that is not optional (validation refuses a node without it)."""
    t = ins[k] if k < len(ins) else None
    if t is None:
        raise fail(node, f"its input #{k} is missing")
    return t


def qparams(node: Node, t: Tensor) -> Quant:
    """The quantisation of a tensor the op needs quantised (check_dtypes refuses one without)."""
    if t.quant is None:
        raise fail(node, f"tensor {t.name!r} is {t.dtype} but has no quantisation parameters")
    return t.quant


def quantize_float(value: float, scale: float, zero_point: int, what: str = "output") -> int:
    """zero_point + round(value / scale), in float32 like TFLM's CalculateActivationRangeQuantized
    (which refuses a bound beyond int32: so does this)."""
    return ql.quantize_bound(value, scale, zero_point, what)


def activation_range(activation: str, out: Tensor) -> tuple[int, int]:
    """Integer clamp bounds of a fused activation on a quantised output."""
    lo, hi = INT_RANGES[out.dtype]
    if activation == "none":
        return lo, hi
    if out.quant is None:
        raise TinyccError(f"output {out.name!r} is {out.dtype} but has no quantisation parameters")
    s, zp, what = out.quant.s, out.quant.zp, f"output {out.name!r} ({activation})"
    if activation == "relu":
        return max(lo, quantize_float(0.0, s, zp, what)), hi
    if activation == "relu6":
        return max(lo, quantize_float(0.0, s, zp, what)), min(hi, quantize_float(6.0, s, zp, what))
    if activation == "relu_n1_to_1":
        return max(lo, quantize_float(-1.0, s, zp, what)), min(hi, quantize_float(1.0, s, zp, what))
    raise ValueError(activation)


def activation_range_float(activation: str) -> tuple[float, float]:
    return {"none": (-np.inf, np.inf), "relu": (0.0, np.inf), "relu6": (0.0, 6.0),
            "relu_n1_to_1": (-1.0, 1.0)}[activation]


def apply_float_activation(x: np.ndarray, activation: str) -> np.ndarray:
    lo, hi = activation_range_float(activation)
    return np.clip(x, np.float32(lo), np.float32(hi)).astype(np.float32) if activation != "none" else x


def requantize(acc: np.ndarray, mult: ArrayLike, shift: ArrayLike, out_zp: int, lo: int, hi: int, dtype: str,
               wide: bool = False) -> np.ndarray:
    """acc -> clamp(zp + MultiplyByQuantizedMultiplier(acc)); `wide` selects TFLM's int64 overload (16x8).
    int8: the accumulator and the zero point's add wrap in int32 as TFLM's do (a bias near INT32_MAX)."""
    mbqm = fp.multiply_by_quantized_multiplier_int64 if wide else fp.multiply_by_quantized_multiplier
    acc = np.asarray(acc, dtype=np.int64) if wide else fp.wrap32(acc)
    out = fp.wrap32(mbqm(acc, np.asarray(mult, dtype=np.int64), np.asarray(shift, dtype=np.int64)) + out_zp)
    clamped: np.ndarray = np.clip(out, lo, hi).astype(dtype)
    return clamped


def channel_multipliers(in_scale: float, w_scales: np.ndarray, out_scale: float, channels: int,
                        names: tuple[str, str, str] = ("input", "weights", "output"),
                        wide: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel (multiplier, shift) as TFLM's PopulateConvolutionQuantizationParams; a factor
    beyond what the kernels can shift is refused (quant_limits), naming the channel and the tensors."""
    scales = np.broadcast_to(w_scales.astype(np.float32), (channels,))
    x, w, y = names
    pairs = [ql.rescale(float(in_scale) * float(s) / float(out_scale),
                        f"{x!r} scale {float(in_scale):.6g} x {w!r} scale[{k}] {float(s):.6g} / {y!r} scale "
                        f"{float(out_scale):.6g}", wide) for k, s in enumerate(scales)]
    return (np.array([m for m, _ in pairs], dtype=np.int64), np.array([s for _, s in pairs], dtype=np.int64))


def is_quantized(t: Tensor) -> bool:
    return t.dtype in ("int8", "int16") and t.quant is not None


def check_dtypes(node: Node, g: Graph, allowed: tuple[str, ...]) -> str:
    """The op's activation dtype (of input 0), or a clear error if it is not supported."""
    ins, outs = tensors(node, g)
    x = required(node, ins, 0)
    dtype = x.dtype
    if dtype not in allowed:
        raise Unsupported(f"input dtype {dtype} is not supported", node=node.name, op=node.op,
                          hint=f"supported: {', '.join(allowed)}")
    if dtype in ("int8", "int16"):
        for t in [x, *outs]:
            if t.dtype not in ("int8", "int16"):
                raise fail(node, f"output {t.name!r} is {t.dtype}, but a quantised {dtype} input needs a "
                                 "quantised (int8 or int16) output", hint="DEQUANTIZE converts to float32")
            if t.quant is None:
                raise fail(node, f"tensor {t.name!r} is {t.dtype} but has no quantisation parameters")
    return dtype


def check_window(node: Node, kernel: Iterable[Any], strides: Iterable[Any], dilations: Iterable[Any],
                 pads: Iterable[Any]) -> None:
    """2-D window attributes: positive kernel, strides and dilations, four non-negative pads."""
    for what, values, count, least in (("kernel", kernel, 2, 1), ("strides", strides, 2, 1),
                                       ("dilations", dilations, 2, 1), ("pads", pads, 4, 0)):
        values = tuple(values)
        if len(values) != count or any(not isinstance(v, (int, np.integer)) or v < least for v in values):
            raise fail(node, f"{what} {values} must be {count} integers >= {least}")


def conv_spatial_output(node: Node, g: Graph, kh: int, kw: int, channels: int) -> tuple[int, ...]:
    """NHWC output shape of a convolution-like op from its pads/strides/dilations; checks the bias."""
    ins, _ = tensors(node, g)
    x = required(node, ins, 0)
    n, h, w = x.shape[:3]
    a = node.attrs
    check_window(node, (kh, kw), a["strides"], a["dilations"], a["pads"])
    top, left, bottom, right = a["pads"]
    padded = (n, h + top + bottom, w + left + right, max(x.shape[3], channels))
    if n * padded[1] * padded[2] * padded[3] > MAX_PADDED_ELEMENTS:
        raise fail(node, f"the padded input {padded} would be absurdly large (pads {a['pads']}, "
                         f"dilations {a['dilations']})", hint="the file is probably corrupted")
    oh = conv_output_size(h, kh, a["strides"][0], a["dilations"][0], top, bottom)
    ow = conv_output_size(w, kw, a["strides"][1], a["dilations"][1], left, right)
    if oh <= 0 or ow <= 0:
        raise fail(node, f"output would be empty ({oh}x{ow}) for input {h}x{w} and kernel {kh}x{kw}")
    bias = ins[2] if len(ins) > 2 else None
    if bias is not None and bias.size != channels:
        raise fail(node, f"bias has {bias.size} values for {channels} output channels")
    return (n, oh, ow, channels)


def weighted_prepare(node: Node, g: Graph, dtypes: tuple[str, ...], channels: int, what: str) -> dict[str, Any]:
    """Prepare of conv_2d / depthwise_conv_2d: per-channel multipliers and the activation clamp."""
    dtype = check_dtypes(node, g, dtypes)
    ins, (out,) = tensors(node, g)
    x, w = required(node, ins, 0), required(node, ins, 1)
    if dtype == "float32":
        check_float_weights(node, g)
        return {"dtype": dtype}
    if w.quant is None or w.dtype != "int8":
        raise fail(node, f"{dtype} {what} needs int8 quantised weights, got {w.dtype}")
    if w.quant.scale.size not in (1, channels):
        raise fail(node, f"weights {w.name!r} have {w.quant.scale.size} scales for {channels} output channels")
    wide = dtype == "int16"
    ql.require_int16_zero_point_0((x, out), f"(16x8) {what}")
    xq, oq = qparams(node, x), qparams(node, out)
    mult, shift = channel_multipliers(xq.s, w.quant.scale, oq.s, channels, (x.name, w.name, out.name), wide)
    if wide:
        ql.check_wide_bias(ins[2] if len(ins) > 2 else None, w.size // channels, what)
    lo, hi = activation_range(node.attrs["activation"], out)
    return {"dtype": dtype, "input_zp": xq.zp, "output_zp": oq.zp,
            "multiplier": mult, "shift": shift, "act_min": lo, "act_max": hi}


def weighted_run(node: Node, inputs: Sequence[np.ndarray], p: dict[str, Any],
                 accumulate: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> list[np.ndarray]:
    """Run of conv_2d / depthwise_conv_2d / transpose_conv: `accumulate(x, w)` over float64 operands (the
    float input, or the input minus its zero point: padding it with 0 is TFLM skipping the taps outside
    it; integer sums exact below 2^53), plus the bias, then the float activation or the requantisation."""
    x, w = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    if p["dtype"] == "float32":
        acc = accumulate(x.astype(np.float64), w.astype(np.float64))
        if bias is not None:
            acc = acc + bias
        return [apply_float_activation(acc.astype(np.float32), node.attrs["activation"])]
    acc = accumulate(x.astype(np.float64) - p["input_zp"], w.astype(np.float64)).astype(np.int64)
    if bias is not None:
        acc += bias.astype(np.int64)
    return [requantize(acc, p["multiplier"], p["shift"], p["output_zp"], p["act_min"], p["act_max"],
                       p["dtype"], wide=p["dtype"] == "int16")]


def check_float_weights(node: Node, g: Graph) -> None:
    """Float ops need float weights: "hybrid" models (float activations, int8 weights) are refused."""
    for name in node.inputs[1:]:
        t = g.tensors[name] if name is not None else None
        if t is not None and t.dtype != "float32":
            raise fail(node, f"float32 input with {t.dtype} constant {t.name!r}: this is a hybrid (dynamic-range "
                             "quantised) model, which neither tinycc nor TF Lite Micro runs",
                       hint="convert with full-integer quantisation (a representative dataset) or keep float32 weights")


def conv_output_size(size: int, kernel: int, stride: int, dilation: int, pad_begin: int, pad_end: int) -> int:
    effective = (kernel - 1) * dilation + 1
    return (size + pad_begin + pad_end - effective) // stride + 1


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TFLite's SAME padding as explicit (begin, end) pads (ComputePaddingWithOffset)."""
    effective = (kernel - 1) * dilation + 1
    out = (size + stride - 1) // stride
    total = max(0, (out - 1) * stride + effective - size)
    return total // 2, total - total // 2


def pad_nhwc(x: np.ndarray, pads: Sequence[int], value: Any) -> np.ndarray:
    top, left, bottom, right = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def window_slices(x: np.ndarray, kh: int, kw: int, stride: Sequence[int], dilation: Sequence[int],
                  out_hw: Sequence[int]) -> np.ndarray:
    """x[:, kh-th tap rows, kw-th tap cols, :] for every output position (strided view)."""
    sh, sw = stride
    dh, dw = dilation
    oh, ow = out_hw
    r0, c0 = kh * dh, kw * dw
    return x[:, r0:r0 + (oh - 1) * sh + 1:sh, c0:c0 + (ow - 1) * sw + 1:sw, :]

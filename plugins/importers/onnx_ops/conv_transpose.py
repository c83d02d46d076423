"""ConvTranspose, 1-D (NCW) or 2-D (NCHW): TRANSPOSE_CONV (weights (Cin, Cout/g, kh, kw) -> OHWI,
bias through its bias input).

ONNX puts input pixel i's window at i * stride + k * dilation - pad_begin; TF Lite's
TRANSPOSE_CONV at i * stride + k - top, top being SAME's padding over the output (0 for VALID).
Where SAME's top/left equal ONNX's begin pads it is one TRANSPOSE_CONV; otherwise a VALID
TRANSPOSE_CONV over pad_begin + output rows and columns, then a SLICE dropping the first
pad_begin ones. Dilations become zeros between the weight taps (the same sums, exactly), a 1-D
convolution runs as (N, 1, W, C) (see _spatial), and group > 1 as one TRANSPOSE_CONV per group
between a SLICE of its input channels and a CONCATENATION. output_padding, output_shape and
auto_pad are ONNX's rules (the reference's); a negative begin pad is refused.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops.common import same_padding
from tinycc.plugins.importers.onnx_ops import _grouped, _spatial

MIN_INPUTS = 2
KEEPS_NCW = True
MAX_DILATED_KERNEL = 1 << 10      # taps of a dilated kernel along an axis (zeros between them are stored)


def dilate(w: np.ndarray, dil: tuple[int, int]) -> np.ndarray:
    """(Cin, Cout, kh, kw) -> (Cin, Cout, (kh-1)*dh+1, (kw-1)*dw+1) with zeros between the taps."""
    if dil == (1, 1):
        return w
    cin, cout, kh, kw = w.shape
    out = np.zeros((cin, cout, (kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1), dtype=w.dtype)
    out[:, :, ::dil[0], ::dil[1]] = w
    return out


def geometry(ctx, node, sizes, kernel, dims):
    """(strides, dilations, begin pads, output sizes) by ONNX's ConvTranspose rules."""
    strides = list(ctx.ints(node, "strides", [1] * dims, dims, 1))
    dil = list(ctx.ints(node, "dilations", [1] * dims, dims, 1))
    opad = list(ctx.ints(node, "output_padding", [0] * dims, dims, 0))
    if any(p >= max(s, d) for p, s, d in zip(opad, strides, dil)):
        raise ctx.fail(node, f"output_padding {opad} must be smaller than the strides {strides} or dilations {dil}")
    full = [strides[i] * (sizes[i] - 1) + opad[i] + (kernel[i] - 1) * dil[i] + 1 for i in range(dims)]
    auto = _spatial.auto_pad(ctx, node)
    shape = None
    if ctx.has_attr(node, "output_shape"):
        shape = [int(v) for v in ctx.attr(node, "output_shape")]
        shape = shape[2:] if len(shape) == dims + 2 else shape
        if len(shape) != dims or min(shape) < 1:
            raise ctx.fail(node, f"output_shape {list(ctx.attr(node, 'output_shape'))} must give {dims} positive "
                                 "spatial sizes")
    if auto in ("SAME_UPPER", "SAME_LOWER") or (shape is not None and not ctx.has_attr(node, "pads")):
        given = shape is not None
        shape = shape or [sizes[i] * strides[i] for i in range(dims)]
        total = [full[i] - shape[i] for i in range(dims)]
        if min(total) < 0 and not given:
            raise ctx.fail(node, f"auto_pad {auto} asks for the output {shape}, larger than the full transposed "
                                 f"convolution {full}",
                           hint="onnxruntime gives the full output, ONNX's reference the larger one; give "
                                "output_shape or explicit pads")
        begin = [t // 2 if auto == "SAME_UPPER" else t - t // 2 for t in total]
    else:
        pads = [0] * 2 * dims if auto == "VALID" else list(ctx.ints(node, "pads", [0] * 2 * dims, 2 * dims, 0))
        begin = pads[:dims]
        shape = shape or [full[i] - pads[i] - pads[dims + i] for i in range(dims)]
    if min(begin) < 0 or min(shape) < 1:
        raise ctx.fail(node, f"the output {shape} with begin pads {begin} is not supported",
                       hint="output_shape larger than the full transposed convolution (a negative begin pad)")
    return strides, dil, begin, shape


def convert(ctx, node, out, name):
    x, dims = _spatial.held(ctx, node, node.input[0])
    w = ctx.get_const(node, node.input[1], "ConvTranspose weight")
    if w.ndim != dims + 2 or min(w.shape) < 1:
        raise ctx.fail(node, f"the weight of shape {w.shape} does not fit a {dims}-D transposed convolution")
    group = int(ctx.attr(node, "group", 1))
    cin = ctx.channels(x)
    if group < 1 or cin % group or w.shape[0] != cin:
        raise ctx.fail(node, f"group {group} and the weight of shape {w.shape} do not fit {cin} input channels")
    kernel = list(w.shape[2:])
    if ctx.has_attr(node, "kernel_shape") and list(ctx.attr(node, "kernel_shape")) != kernel:
        raise ctx.fail(node, f"kernel_shape {list(ctx.attr(node, 'kernel_shape'))} differs from the weight's {kernel}")
    batch = ctx.infer_shape(x)[0]
    strides, dil, begin, shape = geometry(ctx, node, _spatial.spatial_sizes(ctx, x, dims), kernel, dims)
    cout = w.shape[1] * group
    if len(node.input) > 2 and node.input[2]:
        b = ctx.get_const(node, node.input[2], "ConvTranspose bias")
        if b.shape != (cout,):
            raise ctx.fail(node, f"the bias of shape {b.shape} does not fit {cout} output channels")
    strides2, dil2 = _spatial.as_2d(strides, dims, 1), _spatial.as_2d(dil, dims, 1)
    top_left, out_hw = _spatial.as_2d(begin, dims, 0), _spatial.as_2d(shape, dims, 1)
    kd = [(k - 1) * d + 1 for k, d in zip(_spatial.as_2d(kernel, dims, 1), dil2)]
    if max(kd) > MAX_DILATED_KERNEL:
        raise ctx.fail(node, f"the dilated kernel spans {kd} taps (kernel {kernel}, dilations {dil}); at most "
                             f"{MAX_DILATED_KERNEL} are supported", hint="the file is probably corrupted")
    same = tuple(same_padding(out_hw[i], kd[i], strides2[i], 1)[0] for i in (0, 1))
    padding = "same" if same == top_left else "valid"
    core_hw = out_hw if padding == "same" else (out_hw[0] + top_left[0], out_hw[1] + top_left[1])

    def core_weight(a):           # (Cin, Cout, [kh,] kw) -> (Cout, kh', kw', Cin)
        a4 = a.reshape(a.shape[0], a.shape[1], 1, a.shape[2]) if dims == 1 else a
        return np.ascontiguousarray(dilate(a4, dil2).transpose(1, 2, 3, 0))

    attrs = {"output_shape": (batch, *core_hw, cout // group), "strides": strides2, "padding": padding}
    target = out if padding == "same" else ctx.fresh(out + "/uncropped")
    if group == 1:
        wt = ctx.weight(node, node.input[1], "ConvTranspose weight", core_weight, {1: 0}, node.input[1])
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = ctx.weight(node, node.input[2], "ConvTranspose bias", lambda v: v, {0: 0}, node.input[2])
        y = ctx.emit(name if padding == "same" else name + "/full", "transpose_conv", [x, wt, bias], target,
                     attrs, nchw=True)
    else:
        wc, ci_g = core_weight(w), w.shape[0] // group     # one TRANSPOSE_CONV per group
        weights = [wc[:, :, :, k * ci_g:(k + 1) * ci_g] for k in range(group)]
        y = _grouped.per_group(ctx, node, target, name, x, "transpose_conv", weights, "ConvTranspose bias", attrs,
                               name if padding == "same" else name + "/concat")
    if padding == "valid":
        ctx.emit(name, "slice", [y], out, {"begin": (0, *top_left, 0), "size": (batch, *out_hw, cout)}, nchw=True)

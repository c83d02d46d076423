"""Shared by the convolution, pooling and resize conversions: 1-D (NCW) and 2-D (NCHW) inputs as
the 2-D core kernels take them, and their window attributes as 2-D ones.

A 1-D input (N, C, W) runs as the 4-D NHWC (N, 1, W, C) (held as "ncw", see the importer's
docstring); its kernel, strides and dilations become (1, k), (1, s), (1, d) and its pads
(0, begin, 0, end).
"""
from __future__ import annotations

from tinycc.core.ops.common import same_padding
from tinycc.plugins.importers.onnx_common import NCHW_TO_NHWC

AUTO_PADS = ("NOTSET", "", "SAME_UPPER", "SAME_LOWER", "VALID")


def held(ctx, node, n: str) -> tuple[str, int]:
    """(core NHWC tensor, spatial dimensions 1 or 2) for a 3-D NCW or 4-D NCHW activation."""
    x = ctx.value(node, n)
    if x in ctx.ncw:
        return x, 1
    if x in ctx.nchw:
        return x, 2
    shape = ctx.infer_shape(x)
    if len(shape) == 4:                   # 4-D in ONNX's own order (a Reshape's output): to NHWC
        return ctx.nhwc(node, n), 2
    if len(shape) != 3:
        raise ctx.fail(node, f"needs a 3-D (N, C, W) or 4-D (N, C, H, W) input, got shape {shape}",
                       hint="1-D and 2-D operators only")
    batch, channels, width = shape
    r = ctx.emit(f"{node.name}:to_nc1w", "reshape", [x], ctx.fresh(x + "/nc1w"), {"shape": (batch, channels, 1, width)})
    y = ctx.layout(f"{node.name}:to_n1wc", r, ctx.fresh(x + "/n1wc"), NCHW_TO_NHWC, nchw=True)
    ctx.ncw.add(y)
    return y, 1


def as_2d(values, dims: int, fill: int) -> tuple[int, int]:
    """A 1-D or 2-D attribute as 2-D: (fill, v) for 1-D."""
    return (fill, values[0]) if dims == 1 else (values[0], values[1])


def pads_2d(begin, end, dims: int) -> tuple[int, int, int, int]:
    """ONNX begin/end pads as the core's (top, left, bottom, right)."""
    if dims == 1:
        return (0, begin[0], 0, end[0])
    return (begin[0], begin[1], end[0], end[1])


def auto_pad(ctx, node) -> str:
    auto = ctx.attr(node, "auto_pad", b"NOTSET")
    auto = auto.decode(errors="replace") if isinstance(auto, bytes) else auto
    if auto not in AUTO_PADS:
        raise ctx.fail(node, f"auto_pad {auto!r} is not an ONNX padding mode",
                       hint="NOTSET, SAME_UPPER, SAME_LOWER or VALID")
    return auto or "NOTSET"


def window(ctx, node, sizes, kernel, dims: int, dilation_key: str | None = "dilations"):
    """(strides, dilations, begin pads, end pads) as ONNX lists of `dims` values; auto_pad applied."""
    strides = list(ctx.ints(node, "strides", [1] * dims, dims, 1))
    dil = list(ctx.ints(node, dilation_key, [1] * dims, dims, 1)) if dilation_key else [1] * dims
    auto = auto_pad(ctx, node)
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        pairs = [same_padding(sizes[i], kernel[i], strides[i], dil[i]) for i in range(dims)]
        if auto == "SAME_LOWER":
            pairs = [(e, b) for b, e in pairs]
        return strides, dil, [b for b, _ in pairs], [e for _, e in pairs]
    if auto == "VALID":
        return strides, dil, [0] * dims, [0] * dims
    pads = list(ctx.ints(node, "pads", [0] * 2 * dims, 2 * dims, 0))
    return strides, dil, pads[:dims], pads[dims:]


def spatial_sizes(ctx, x: str, dims: int) -> list[int]:
    """The spatial sizes of a held activation in ONNX order: [W] for 1-D, [H, W] for 2-D."""
    shape = ctx.infer_shape(x)
    return [shape[2]] if dims == 1 else [shape[1], shape[2]]

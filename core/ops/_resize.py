"""What RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR share: the NHWC shape rule over the constant
`size` operand (TFLM requires it constant, int32, two values: output height and width), the
checks of their parameters and the options codec (align_corners, half_pixel_centers)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c

INPUTS = ("input",)
ATTRS = {"size": (), "align_corners": False, "half_pixel_centers": False}
MAX_SIZE = 1 << 16          # output height / width, and input ones: the integer kernels' products stay in int32


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if len(x.shape) != 4:
        raise c.fail(node, f"{len(x.shape)}-D input is not supported", hint="TF Lite Micro resizes 4-D NHWC inputs")
    size = tuple(node.attrs["size"])
    if len(size) != 2:
        raise c.fail(node, f"size {size} must hold two values (output height and width)")
    for what, v in zip(("height", "width"), size):
        if not isinstance(v, (int, np.integer)) or not 1 <= v <= MAX_SIZE:
            raise c.fail(node, f"output {what} {v} is out of range", hint=f"sizes must lie in [1, {MAX_SIZE}]")
    for what, v in zip(("height", "width"), x.shape[1:3]):
        if not 1 <= v <= MAX_SIZE:
            raise c.fail(node, f"input {what} {v} is out of range", hint=f"sizes must lie in [1, {MAX_SIZE}]")
    node.attrs["size"] = tuple(int(v) for v in size)
    return [(x.shape[0], int(size[0]), int(size[1]), x.shape[3])]


def check_same_quant(node, g, dtype, opname):
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output dtype {out.dtype} differs from input dtype {dtype}",
                     hint=f"TF Lite Micro's {opname} writes its output in the input's dtype")
    if dtype in ("int8", "int16") and (x.quant.zp != out.quant.zp or not np.isclose(x.quant.s, out.quant.s)):
        raise c.fail(node, f"input and output quantisation differ; {opname} cannot rescale",
                     hint="TF Lite Micro copies the raw integers: give the output the input's scale and zero point")


def read(ctx) -> dict:
    size = ctx.const(1, "resize size")
    if size.dtype != np.int32 or size.ndim != 1 or size.size != 2:
        raise ctx.fail(f"the size operand must be 1-D int32 with two values, got {size.dtype} {list(size.shape)}")
    o = ctx.o
    return {"size": tuple(int(v) for v in size), "align_corners": bool(getattr(o, "alignCorners", False)),
            "half_pixel_centers": bool(getattr(o, "halfPixelCenters", False))}


def write(ctx, node, inputs):
    opt = ctx.options()
    opt.alignCorners = bool(node.attrs["align_corners"])
    opt.halfPixelCenters = bool(node.attrs["half_pixel_centers"])
    return ctx.builtin, opt, inputs[:1] + [ctx.const_int32(node, "size", node.attrs["size"])]

"""Shared by MaxPool and AveragePool: 1-D (NCW) or 2-D (NCHW) pooling on the 2-D core pools.

The core pools take explicit (top, left, bottom, right) pads and pool the in-bounds elements
only: exactly MaxPool's padding (which never wins the max) and AveragePool's count_include_pad=0.
AveragePool with count_include_pad=1 gets an explicit zero PAD in front instead. ceil_mode=1 adds
the window overhang past the end as further end padding (never counted: the last window starts
inside the input or its begin padding, as ONNX and PyTorch define it). Dilated pooling is refused.
"""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _spatial


def output_size(size: int, kernel: int, stride: int, begin: int, end: int, ceil: bool) -> int:
    span = size + begin + end - kernel
    if not ceil:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + begin:       # the last window must start inside the input
        out -= 1
    return out


def pool(ctx, node, out, name, core_op):
    x, dims = _spatial.held(ctx, node, node.input[0])
    kernel = ctx.ints(node, "kernel_shape", None, dims, 1)
    if ctx.has_attr(node, "dilations") and any(d != 1 for d in ctx.ints(node, "dilations", None, dims, 1)):
        raise ctx.fail(node, f"dilated pooling (dilations {list(ctx.attr(node, 'dilations'))}) is not supported",
                       hint="the core pooling kernels (TF Lite Micro's) have no dilation; use dilations 1")
    ceil = bool(ctx.attr(node, "ceil_mode", 0))
    if ceil and _spatial.auto_pad(ctx, node) != "NOTSET":
        raise ctx.fail(node, "ceil_mode=1 together with auto_pad is not supported",
                       hint="give explicit pads (auto_pad NOTSET) with ceil_mode")
    sizes = _spatial.spatial_sizes(ctx, x, dims)
    if _spatial.auto_pad(ctx, node) in ("SAME_UPPER", "SAME_LOWER"):
        strides = ctx.ints(node, "strides", [1] * dims, dims, 1)
        raw = [(-(-sizes[i] // strides[i]) - 1) * strides[i] + kernel[i] - sizes[i] for i in range(dims)]
        if min(raw) < -1:       # a stride over 1 + the kernel: the runtimes shift or refuse the windows
            raise ctx.fail(node, f"auto_pad SAME with strides {list(strides)} larger than the kernel "
                                 f"{list(kernel)} over {sizes} asks for negative padding {raw}",
                           hint="onnxruntime moves the windows, TF Lite does not; give explicit pads")
    strides, _, begin, end = _spatial.window(ctx, node, sizes, kernel, dims, dilation_key=None)
    if any(max(b, e) >= k for b, e, k in zip(begin, end, kernel)):
        raise ctx.fail(node, f"pads {begin + end} must be smaller than the kernel {list(kernel)}",
                       hint="a window over padding only has no elements to pool")
    outs = [output_size(sizes[i], kernel[i], strides[i], begin[i], end[i], ceil) for i in range(dims)]
    if min(outs) < 1:
        raise ctx.fail(node, f"the output would be empty ({outs}) for input {sizes} and kernel {list(kernel)}")
    extra = [max(0, (outs[i] - 1) * strides[i] + kernel[i] - sizes[i] - begin[i] - end[i]) for i in range(dims)]
    include_pad = core_op == "average_pool_2d" and bool(ctx.attr(node, "count_include_pad", 0))
    if include_pad and any(begin + end):
        t, left, b, r = _spatial.pads_2d(begin, end, dims)
        x = ctx.emit(f"{name}/pad", "pad", [x], ctx.fresh(out + "/padded"),
                     {"paddings": ((0, 0), (t, b), (left, r), (0, 0))}, nchw=True)
        begin, end = [0] * dims, [0] * dims
    pads = _spatial.pads_2d(begin, [e + x_ for e, x_ in zip(end, extra)], dims)
    ctx.emit(name, core_op, [x], out, {"kernel": _spatial.as_2d(kernel, dims, 1),
                                       "strides": _spatial.as_2d(strides, dims, 1), "pads": pads}, nchw=True)

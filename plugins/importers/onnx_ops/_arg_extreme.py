"""ArgMax / ArgMin: ARG_MAX / ARG_MIN along the axis (translated to the layout), the indices as
int32 (TFLM's kernels write no int64; ONNX's are int64 of the same values). keepdims puts the
reduced axis back as 1 with a RESHAPE; without it an NHWC-held input is brought back to NCHW first.
Ties give the first index (select_last_index 0); select_last_index 1 is refused."""
from __future__ import annotations


def convert_arg(ctx, node, out, name, core_op):
    if int(ctx.attr(node, "select_last_index", 0)):
        raise ctx.fail(node, "select_last_index=1 (the last of equal extremes) is not supported",
                       hint="TF Lite Micro's ARG_MAX/ARG_MIN return the first index; export with "
                            "select_last_index=0")
    keep = bool(ctx.attr(node, "keepdims", 1))
    x = ctx.value(node, node.input[0])
    if x in ctx.nchw and not keep:
        x = ctx.plain(node, node.input[0])
    shape = ctx.infer_shape(x)
    axis = ctx.core_axis(x, int(ctx.attr(node, "axis", 0)), len(shape), node)
    if not keep:
        return ctx.emit(name, core_op, [x], out, {"axis": axis}, dtype="int32")
    t = ctx.emit(f"{name}:{core_op}", core_op, [x], ctx.fresh(f"{out}/{core_op}"), {"axis": axis}, dtype="int32")
    kept = tuple(1 if k == axis else d for k, d in enumerate(shape))
    return ctx.emit(name, "reshape", [t], out, {"shape": kept}, nchw=x in ctx.nchw, dtype="int32")

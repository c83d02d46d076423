"""Slice with constant starts/ends/axes/steps on an activation: SLICE when every step is 1, else
STRIDED_SLICE, with ONNX's clamping done here (negative values count from the end; INT64_MAX
and other out-of-range ends clamp to the dimension; a negative step's end below 0 becomes an
end_mask bit). Axes follow the tensor's layout. An empty result is refused. Slices of constants
are folded (plugins/importers/onnx_fold.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_common import NCHW_TO_NHWC
from tinycc.plugins.importers.onnx_ops._shapes import needs_constant, onnx_shape

MIN_INPUTS = 3


def _operand(ctx, node, k, what, default):
    if len(node.input) <= k or not node.input[k]:
        return default
    if ctx.name(node.input[k]) not in ctx.const:
        raise needs_constant(ctx, node, f"the {what} of Slice")
    return ctx.int_const(node, node.input[k], f"Slice {what}")


def bounds(ctx, node, shape):
    """(begin, end, step, end_open) per ONNX axis, clamped as ONNX does."""
    starts = _operand(ctx, node, 1, "starts", None)
    ends = _operand(ctx, node, 2, "ends", None)
    rank = len(shape)
    axes = _operand(ctx, node, 3, "axes", list(range(len(starts))))
    steps = _operand(ctx, node, 4, "steps", [1] * len(starts))
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise ctx.fail(node, f"starts {starts}, ends {ends}, axes {axes} and steps {steps} differ in length")
    if any(not -rank <= a < rank for a in axes) or len({a % rank for a in axes}) != len(axes):
        raise ctx.fail(node, f"axes {axes} are out of range or repeated for a {rank}-D input")
    if 0 in steps:
        raise ctx.fail(node, f"steps {steps} must be non-zero")
    out = [(0, d, 1, False) for d in shape]
    for s, e, a, st in zip(starts, ends, axes, steps):
        a %= rank
        d = shape[a]
        s, e = s + d if s < 0 else s, e + d if e < 0 else e
        if st > 0:
            s, e = min(max(s, 0), d), min(max(e, 0), d)
        else:
            s, e = min(max(s, 0), d - 1), min(max(e, -1), d - 1)
        out[a] = (s, e, st, st < 0 and e == -1)
    return out


def convert(ctx, node, out, name):
    shape = onnx_shape(ctx, node, node.input[0])
    per_axis = bounds(ctx, node, shape)
    sizes = [max(0, -((e - s) // -st)) if st > 0 else max(0, -((s - e) // st)) for s, e, st, _ in per_axis]
    if 0 in sizes:
        raise ctx.fail(node, f"the slice of the {shape} input is empty (output shape {tuple(sizes)})",
                       hint="tinycc's tensors have at least one element")
    x = ctx.value(node, node.input[0])
    if x in ctx.nchw:
        per_axis = [per_axis[k] for k in NCHW_TO_NHWC]
    if all(st == 1 for _, _, st, _ in per_axis):
        attrs = {"begin": tuple(s for s, _, _, _ in per_axis), "size": tuple(e - s for s, e, _, _ in per_axis)}
        return ctx.emit(name, "slice", [x], out, attrs, nchw=x in ctx.nchw)
    attrs = {"begin": tuple(s for s, _, _, _ in per_axis),
             "end": tuple(0 if open_ else e for _, e, _, open_ in per_axis),
             "strides": tuple(st for _, _, st, _ in per_axis),
             "end_mask": sum(1 << k for k, (_, _, _, open_) in enumerate(per_axis) if open_)}
    ctx.emit(name, "strided_slice", [x], out, attrs, nchw=x in ctx.nchw)

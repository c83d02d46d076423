"""Resize (opset 13+), 1-D (NCW) or 2-D (NCHW), to constant scales or sizes.

nearest: ONNX's index of every output row and column (coordinate_transformation_mode, then
nearest_mode, clamped to the input) is computed here from the constant shapes. Where TF Lite's
RESIZE_NEAREST_NEIGHBOR reads the very same rows and columns with some align_corners /
half_pixel_centers flags (asymmetric + floor, and most integer factors) it is that op; otherwise
two GATHERs of those indices (exact for every mode: round_prefer_floor/ceil, floor, ceil, and
tf_half_pixel_for_nn, half_pixel_symmetric; keep_aspect_ratio_policy's one scale for all axes).
linear: RESIZE_BILINEAR where the interpolation is the same: asymmetric (no flags), half_pixel and
pytorch_half_pixel (half_pixel_centers; pytorch_half_pixel to size 1 only from size 1),
align_corners (align_corners), each when the scale is output / input (scales that do not divide
the size evenly place the samples elsewhere: refused). cubic, tf_crop_and_resize, antialiased
downsampling and resizing N or C are refused with the reason.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from tinycc.core.ops._resize import MAX_SIZE
from tinycc.core.ops.resize_nearest_neighbor import nearest_indices
from tinycc.plugins.importers.onnx_ops import _spatial

KEEPS_NCW = True
MODES = ("nearest", "linear", "cubic")
COORDINATES = ("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn",
               "half_pixel_symmetric", "tf_crop_and_resize")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
# modes whose coordinates use the unrounded output width: a scale that does not make a whole size is
# ambiguous (onnxruntime uses the rounded size, ONNX's reference the unrounded one)
WIDTH_MODES = ("align_corners", "pytorch_half_pixel", "half_pixel_symmetric")
# TF Lite flags (align_corners, half_pixel_centers) whose bilinear sampling equals an ONNX linear mode
BILINEAR_FLAGS = {"asymmetric": (False, False), "half_pixel": (False, True), "pytorch_half_pixel": (False, True),
                  "align_corners": (True, False)}


def text(ctx, node, key, default, allowed):
    value = ctx.attr(node, key, default)
    value = value.decode(errors="replace") if isinstance(value, bytes) else value
    if value not in allowed:
        raise ctx.fail(node, f"{key} {value!r} is not one of ONNX's: {', '.join(allowed)}")
    return value


def source_coordinate(mode: str, y: int, size: int, out: int, scale: Fraction) -> Fraction:
    """ONNX's x_original of output index y, in exact rational arithmetic (the spec's formulas;
    float rounding would move samples that land exactly on .5 or on a whole index)."""
    width = size * scale                       # ONNX's (not rounded) output width
    if mode == "align_corners":
        return Fraction(0) if width == 1 else y * Fraction(size - 1) / (width - 1)
    if mode == "asymmetric":
        return y / scale
    if mode == "pytorch_half_pixel" and width == 1:
        return Fraction(-1, 2)
    if mode in ("half_pixel", "pytorch_half_pixel"):
        return (y + Fraction(1, 2)) / scale - Fraction(1, 2)
    if mode == "tf_half_pixel_for_nn":
        return (y + Fraction(1, 2)) / scale
    offset = Fraction(size, 2) * (1 - out / width)      # half_pixel_symmetric
    return offset + (y + Fraction(1, 2)) / scale - Fraction(1, 2)


def onnx_nearest(mode: str, rounding: str, size: int, out: int, scale: float) -> np.ndarray:
    """The input index every output index reads; the same size at scale 1 is the identity (as
    onnxruntime and ONNX's reference skip it)."""
    exact = Fraction(out, size) if scale == out / size else Fraction(scale)
    if out == size and exact == 1:
        return np.arange(size, dtype=np.int64)
    idx = []
    for y in range(out):
        x = source_coordinate(mode, y, size, out, exact)
        lo = math.floor(x)
        frac = x - lo
        up = {"round_prefer_floor": frac > Fraction(1, 2), "round_prefer_ceil": frac >= Fraction(1, 2),
              "floor": False, "ceil": frac > 0}[rounding]
        idx.append(min(max(lo + int(up), 0), size - 1))
    return np.array(idx, dtype=np.int64)


def convert(ctx, node, out, name):
    mode = text(ctx, node, "mode", "nearest", MODES)
    coords = text(ctx, node, "coordinate_transformation_mode", "half_pixel", COORDINATES)
    rounding = text(ctx, node, "nearest_mode", "round_prefer_floor", NEAREST_MODES)
    policy = text(ctx, node, "keep_aspect_ratio_policy", "stretch", ("stretch", "not_larger", "not_smaller"))
    if mode == "cubic":
        raise ctx.fail(node, "Resize mode 'cubic' is not supported", hint="nearest and linear resize only")
    if coords == "tf_crop_and_resize":
        raise ctx.fail(node, "coordinate_transformation_mode 'tf_crop_and_resize' is not supported")
    x, dims = _spatial.held(ctx, node, node.input[0])
    shape = ctx.infer_shape(x)
    onnx_shape = [shape[0], shape[3], *_spatial.spatial_sizes(ctx, x, dims)]
    rank = dims + 2
    axes = [int(a) for a in ctx.attr(node, "axes", list(range(rank)))]
    if sorted(a % rank for a in axes) != sorted(set(a % rank for a in axes)) or any(not -rank <= a < rank
                                                                                    for a in axes):
        raise ctx.fail(node, f"axes {axes} are out of range or repeated for a {rank}-D input")
    axes = [a % rank for a in axes]
    scales = sizes = None
    if len(node.input) > 3 and node.input[3]:
        given = ctx.int_const(node, node.input[3], "Resize sizes")
        if given:
            sizes = given
    if sizes is None and len(node.input) > 2 and node.input[2]:
        given = np.asarray(ctx.get_const(node, node.input[2], "Resize scales"), dtype=np.float64).reshape(-1)
        if given.size:
            scales = [float(v) for v in given]
    if (scales is None) == (sizes is None):
        raise ctx.fail(node, "Resize needs exactly one of scales and sizes (a non-empty constant)")
    given = sizes if sizes is not None else scales
    if len(given) != len(axes):
        raise ctx.fail(node, f"{len(given)} {'sizes' if sizes else 'scales'} for {len(axes)} axes")
    out_sizes, factors = list(onnx_shape), [1.0] * rank
    if sizes is not None and policy != "stretch":       # one scale for every axis, sizes rounded half up
        if min(sizes) < 1:
            raise ctx.fail(node, f"sizes {sizes} must be positive")
        ratios = [v / onnx_shape[a] for a, v in zip(axes, sizes)]
        one = min(ratios) if policy == "not_larger" else max(ratios)
        sizes = None
        given = [one] * len(axes)
    for a, v in zip(axes, given):
        if sizes is not None:
            if v < 1:
                raise ctx.fail(node, f"size {v} of axis {a} must be positive")
            out_sizes[a], factors[a] = int(v), v / onnx_shape[a]
        else:
            if not np.isfinite(v) or v <= 0:
                raise ctx.fail(node, f"scale {v} of axis {a} must be positive")
            out_sizes[a], factors[a] = int(np.floor(onnx_shape[a] * v)), v
            if policy != "stretch" and len(node.input) > 3 and node.input[3]:
                out_sizes[a] = int(onnx_shape[a] * v + 0.5)
            if out_sizes[a] < 1:
                raise ctx.fail(node, f"scale {v} makes axis {a} of size {onnx_shape[a]} empty")
    if max(out_sizes) > MAX_SIZE:
        raise ctx.fail(node, f"the output {out_sizes} is larger than {MAX_SIZE} along an axis",
                       hint="a microcontroller model needs far less; the file is probably corrupted")
    if out_sizes[:2] != onnx_shape[:2]:
        raise ctx.fail(node, f"resizing the batch or channel axes ({onnx_shape[:2]} -> {out_sizes[:2]}) is not "
                             "supported", hint="Resize the spatial axes only")
    if ctx.attr(node, "antialias", 0) and any(factors[a] < 1 for a in range(2, rank)):
        raise ctx.fail(node, "antialiased downsampling is not supported", hint="export with antialias=False")
    spatial = list(range(2, rank))
    uneven = [a for a in spatial if Fraction(onnx_shape[a]) * Fraction(factors[a]) != out_sizes[a]]
    if uneven and coords in WIDTH_MODES:
        a = uneven[0]
        raise ctx.fail(node, f"{coords!r} with the scale {factors[a]:g} of axis {a} ({onnx_shape[a]} -> "
                             f"{onnx_shape[a] * factors[a]:g}, rounded down to {out_sizes[a]})",
                       hint="onnxruntime and ONNX's reference place these samples differently; give sizes")
    ins = [onnx_shape[a] for a in spatial]
    outs = [out_sizes[a] for a in spatial]
    facs = [factors[a] for a in spatial]
    size2 = _spatial.as_2d(outs, dims, 1)
    if mode == "nearest":
        return nearest(ctx, node, out, name, x, coords, rounding, dims, ins, outs, facs, size2)
    if coords not in BILINEAR_FLAGS:
        raise ctx.fail(node, f"linear Resize with coordinate_transformation_mode {coords!r} has no TF Lite "
                             "equivalent", hint="asymmetric, half_pixel, pytorch_half_pixel or align_corners")
    for i, o, f in zip(ins, outs, facs):
        if abs(f * i / o - 1) > 1e-6:
            raise ctx.fail(node, f"linear Resize by the scale {f:g} ({i} -> {o}) with {coords!r} samples at "
                                 f"multiples of 1/{f:g}, TF Lite's RESIZE_BILINEAR at multiples of {i}/{o}",
                           hint="give sizes, or a scale that makes a whole output size")
        if coords == "pytorch_half_pixel" and o == 1 and i > 1:
            raise ctx.fail(node, f"linear Resize with 'pytorch_half_pixel' from {i} to 1 samples index -0.5, "
                                 "which TF Lite's RESIZE_BILINEAR does not", hint="use half_pixel")
    align, half = BILINEAR_FLAGS[coords]
    ctx.emit(name, "resize_bilinear", [x], out, {"size": size2, "align_corners": align, "half_pixel_centers": half},
             nchw=True)


def nearest(ctx, node, out, name, x, coords, rounding, dims, ins, outs, facs, size2):
    tables = [onnx_nearest(coords, rounding, i, o, f) for i, o, f in zip(ins, outs, facs)]
    in2 = _spatial.as_2d(ins, dims, 1)
    tables2 = [np.zeros(1, np.int64), tables[0]] if dims == 1 else tables
    natural = {"asymmetric": (False, False), "align_corners": (True, False)}.get(coords, (False, True))
    for align, half in dict.fromkeys([natural, (False, False), (False, True), (True, False)]):
        if all(np.array_equal(nearest_indices(in2[k], size2[k], align, half), tables2[k]) for k in (0, 1)):
            return ctx.emit(name, "resize_nearest_neighbor", [x], out,
                            {"size": size2, "align_corners": align, "half_pixel_centers": half}, nchw=True)
    y = x
    todo = [k for k in (0, 1) if not np.array_equal(tables2[k], np.arange(in2[k]))]
    for step, k in enumerate(todo):
        idx = ctx.core_const(ctx.fresh(f"{name}/indices{k}"), tables2[k].astype(np.int32))
        last = step == len(todo) - 1
        y = ctx.emit(name if last else f"{name}/gather{k}", "gather", [y, idx],
                     out if last else ctx.fresh(f"{out}/rows"), {"axis": 1 + k}, nchw=True)
    if not todo:            # the same size
        ctx.emit(name, "reshape", [x], out, {"shape": tuple(ctx.infer_shape(x))}, nchw=True)

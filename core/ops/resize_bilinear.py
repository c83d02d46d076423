"""RESIZE_BILINEAR of an NHWC input to the constant `size` (TFLM's resize_bilinear.cc).

float32 (reference_ops::ResizeBilinear): per output row y, input_y = y * scale (or (y + 0.5) *
scale - 0.5 with half_pixel_centers) in float32, with scale = in / out, or (in - 1) / (out - 1) with
align_corners and out > 1; y0 = max(floor(input_y), 0), y1 = min(ceil(input_y), in - 1), and the
output is the float32 sum, in TFLM's order, of the four neighbours times (1 - dy or dy)(1 - dx or dx)
where dy = input_y - y0 (which may be negative at the border: the weights still add up to one).
int8 (ResizeBilinearInteger): the same in 10-bit fixed point: scale_10 = (1024 * in + out / 2) /
out (align_corners: (1024 * (in - 1) + (out - 1) / 2) / (out - 1)), input_y = y * scale_10 (+
scale_10 / 2 - 512 with half_pixel_centers), y0 = max(input_y / 1024, 0) and y1 = min((input_y +
1023) / 1024, in - 1) with C's truncating division; the four int64 products with 10-bit weights are
summed and divided by 2^20 rounding half away from zero (TFLM's double-rounding build). The
integers are interpolated raw, so input and output must share quantisation.
Refused: align_corners together with half_pixel_centers (TFLM's Prepare refuses it), and sizes whose
fixed-point rows or columns would read past the input (TFLM would read out of bounds: the rounded
scale_10 overshoots when upsampling a few pixels to hundreds).
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _resize, _tflite
from tinycc.core.ops import common as c

NAME = "resize_bilinear"
INPUTS, ATTRS, infer = _resize.INPUTS, _resize.ATTRS, _resize.infer
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT = True
SPEED_SCRATCH = True        # scratch_bytes is the fast int8 kernel's; the plain one needs none (core/planner.py)


def fast_int8(node, g) -> bool:
    """Whether the c backend's fast int8 kernel takes this node: int8, and its blended input row
    (in_w x depth int32, the scratch) no larger than the input or the output tensor (so at least
    four input rows, or an upscale)."""
    x = g.tensors[node.inputs[0]]
    if x.dtype != "int8" or len(x.shape) != 4:
        return False
    oh, ow = node.attrs["size"]
    return 4 * x.shape[2] <= x.shape[0] * max(x.shape[1] * x.shape[2], int(oh) * int(ow))


def scratch_bytes(node, g) -> int:
    """The fast int8 kernel's blended input row (backends/c/kernels/optimised/resize_fast.h):
    in_w x depth int32; nothing for float32 or when the kernel is not taken (fast_int8). Speed
    only: the planner drops it where it would raise the arena's peak, and the node then takes the
    plain kernel."""
    if not fast_int8(node, g):
        return 0
    x = g.tensors[node.inputs[0]]
    return 4 * x.shape[2] * x.shape[3]


def float_axis(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool):
    """(lower, upper, fraction input_y - lower) per output index, in float32 as TFLM computes them."""
    f32 = np.float32
    scale = f32(in_size) / f32(out_size)
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    v = np.arange(out_size, dtype=np.float32)
    scaled = ((v + f32(0.5)) * scale - f32(0.5)) if half_pixel_centers else v * scale
    lo = np.maximum(np.floor(scaled).astype(np.int64), 0)
    hi = np.minimum(np.ceil(scaled).astype(np.int64), in_size - 1)
    return lo, hi, (scaled - lo.astype(np.float32)).astype(np.float32)


def integer_axis(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool):
    """(lower, upper, input_y - 1024 * lower) per output index, TFLM's 10-bit fixed point."""
    scale = ((1 << 10) * in_size + out_size // 2) // out_size
    if align_corners and out_size > 1:
        scale = ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    v = np.arange(out_size, dtype=np.int64) * scale
    if half_pixel_centers:
        v = v + scale // 2 - (1 << 9)
    lo = np.maximum(np.trunc(v / 1024).astype(np.int64), 0)      # C division truncates towards zero
    hi = np.minimum(np.trunc((v + 1023) / 1024).astype(np.int64), in_size - 1)
    return lo, hi, v - 1024 * lo


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    _resize.check_same_quant(node, g, dtype, "RESIZE_BILINEAR")
    a = node.attrs
    if a["align_corners"] and a["half_pixel_centers"]:
        raise c.fail(node, "align_corners and half_pixel_centers are both set",
                     hint="TF Lite Micro refuses this: with half_pixel_centers, align_corners must be false")
    x = g.tensors[node.inputs[0]]
    axis = float_axis if dtype == "float32" else integer_axis
    tables = {}
    for k, name in ((0, "y"), (1, "x")):
        lo, hi, frac = axis(x.shape[1 + k], a["size"][k], a["align_corners"], a["half_pixel_centers"])
        if lo.max() > x.shape[1 + k] - 1:
            bad = int(np.argmax(lo > x.shape[1 + k] - 1))
            raise c.fail(node, f"output {'row' if k == 0 else 'column'} {bad} of size {tuple(a['size'])} would "
                               f"read input index {int(lo[bad])} of {x.shape[1 + k]}",
                         hint="TF Lite Micro's rounded fixed-point scale reads past the input for this size; "
                              "resize in steps or use RESIZE_NEAREST_NEIGHBOR")
        tables[f"{name}0"], tables[f"{name}1"] = lo.astype(np.int32), hi.astype(np.int32)
        tables[f"d{name}"] = frac.astype(np.float32 if dtype == "float32" else np.int32)
    return {"dtype": dtype, **tables}


def run(node, g, inputs, p):
    x = inputs[0]
    y0, y1, x0, x1 = p["y0"], p["y1"], p["x0"], p["x1"]
    a, b = x[:, y0][:, :, x0], x[:, y1][:, :, x0]        # (n, oh, ow, c): (y0, x0), (y1, x0)
    cc, d = x[:, y0][:, :, x1], x[:, y1][:, :, x1]       # (y0, x1), (y1, x1)
    dy, dx = p["dy"][None, :, None, None], p["dx"][None, None, :, None]
    if p["dtype"] == "float32":
        one = np.float32(1)
        with np.errstate(over="ignore", invalid="ignore"):
            total = a * (one - dy) * (one - dx) + b * dy * (one - dx)
            total = total + cc * (one - dy) * dx
            total = total + d * dy * dx
        return [total.astype(np.float32)]
    a, b, cc, d = (t.astype(np.int64) for t in (a, b, cc, d))
    dy, dx = dy.astype(np.int64), dx.astype(np.int64)
    total = a * (1024 - dy) * (1024 - dx) + b * dy * (1024 - dx) + cc * (1024 - dy) * dx + d * dy * dx
    half = np.where(total > 0, 1 << 19, -(1 << 19))
    q = np.trunc((total + half) / (1 << 20)).astype(np.int64)        # exact: |total| < 2^53
    return [q.astype(p["dtype"])]


def macs(node, g):
    return 4 * g.tensors[node.outputs[0]].size


TFLITE = _tflite.TFLite("RESIZE_BILINEAR", "ResizeBilinearOptions", operands=1,
                        read=_resize.read, write=_resize.write)

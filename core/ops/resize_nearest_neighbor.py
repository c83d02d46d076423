"""RESIZE_NEAREST_NEIGHBOR of an NHWC input to the constant `size` (TFLM's resize_nearest_neighbor.cc).

Each output row y reads input row min(f((y + offset) * scale), in_h - 1) (and max(0, .) with
half_pixel_centers), where offset is 0.5 with half_pixel_centers, scale is (in - 1) / (out - 1) with
align_corners (and out > 1) else in / out, all in float32, and f rounds half away from zero with
align_corners, floors otherwise; columns likewise. The integers are copied raw (int8, int16), so
input and output must share quantisation. `prepare` computes both index maps once (the C kernel
gets them as tables), so the reference and the kernels cannot differ from TFLM's float32 rounding.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _resize, _tflite
from tinycc.core.ops import common as c

NAME = "resize_nearest_neighbor"
INPUTS, ATTRS, infer = _resize.INPUTS, _resize.ATTRS, _resize.infer
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True


def nearest_indices(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """The input index each output index reads (TFLM's GetNearestNeighbor, float32 arithmetic)."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5 if half_pixel_centers else 0.0)
    v = ((np.arange(out_size, dtype=np.float32) + offset) * scale).astype(np.float64)   # exact float32 values
    if align_corners:
        floor = np.floor(v)
        idx = np.where(v - floor >= 0.5, floor + 1, floor)   # round half away from zero (v >= 0)
    else:
        idx = np.floor(v)
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    if half_pixel_centers:
        idx = np.maximum(idx, 0)
    return idx.astype(np.int32)


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    _resize.check_same_quant(node, g, dtype, "RESIZE_NEAREST_NEIGHBOR")
    x = g.tensors[node.inputs[0]]
    a = node.attrs
    ys = nearest_indices(x.shape[1], a["size"][0], a["align_corners"], a["half_pixel_centers"])
    xs = nearest_indices(x.shape[2], a["size"][1], a["align_corners"], a["half_pixel_centers"])
    return {"dtype": dtype, "ys": ys, "xs": xs}


def run(node, g, inputs, p):
    return [np.ascontiguousarray(inputs[0][:, p["ys"]][:, :, p["xs"]])]


TFLITE = _tflite.TFLite("RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighborOptions", operands=1,
                        read=_resize.read, write=_resize.write)

"""STRIDED_SLICE with begin/end masks and shrink_axis_mask, following TFLite's
strided_slice_logic (negative indices wrap, bounds clamp, shrunk axes take one element).
ellipsis_mask, new_axis_mask and offset are refused (TFLM does not take them either)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "strided_slice"
INPUTS = ("input",)
ATTRS = {"begin": (), "end": (), "strides": (), "begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0,
         "new_axis_mask": 0, "shrink_axis_mask": 0, "offset": False}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"begin": "per_axis", "end": "per_axis", "strides": "per_axis", "begin_mask": "mask",
              "end_mask": "mask", "ellipsis_mask": "mask", "new_axis_mask": "mask", "shrink_axis_mask": "mask"}
INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1


def bounds(node, shape) -> list[tuple[int, int, int]]:
    """(start, stop, stride) per axis, as TFLite's StartForAxis / StopForAxis."""
    a = node.attrs
    out = []
    for axis, size in enumerate(shape):
        stride = a["strides"][axis]
        start = a["begin"][axis]
        if a["begin_mask"] & (1 << axis):
            start = INT_MIN if stride > 0 else INT_MAX
        if start < 0:
            start += size
        start = min(max(start, 0), size) if stride > 0 else min(max(start, -1), size - 1)
        if a["shrink_axis_mask"] & (1 << axis):
            out.append((start, start + 1, stride))
            continue
        stop = a["end"][axis]
        if a["end_mask"] & (1 << axis):
            stop = INT_MAX if stride > 0 else INT_MIN
        if stop < 0:
            stop += size
        stop = min(max(stop, 0), size) if stride > 0 else min(max(stop, -1), size - 1)
        out.append((start, stop, stride))
    return out


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    a = node.attrs
    rank = len(x.shape)
    for key in ("ellipsis_mask", "new_axis_mask"):
        if a[key]:
            raise c.fail(node, f"{key} is not supported", hint="TF Lite Micro does not support it either")
    if a["offset"]:
        raise c.fail(node, "offset=true is not supported")
    if not len(a["begin"]) == len(a["end"]) == len(a["strides"]) == rank:
        raise c.fail(node, f"begin/end/strides must have {rank} entries, got "
                           f"{len(a['begin'])}/{len(a['end'])}/{len(a['strides'])}")
    if 0 in a["strides"]:
        raise c.fail(node, "strides must be non-zero")
    if any(a["shrink_axis_mask"] & (1 << k) and a["strides"][k] < 0 for k in range(rank)):
        raise c.fail(node, "a shrunk axis with a negative stride is not supported")
    if rank > 5:
        raise c.fail(node, "strided slice is supported up to 5 dimensions")
    shape = []
    for axis, (start, stop, stride) in enumerate(bounds(node, x.shape)):
        if a["shrink_axis_mask"] & (1 << axis):
            continue
        count = (stop - start + stride - (1 if stride > 0 else -1)) // stride
        shape.append(max(count, 0))
    if 0 in shape:
        raise c.fail(node, f"the slice of {x.shape} is empty (output shape {tuple(shape)})",
                     hint="empty tensors cannot be planned; check begin/end/strides and the masks")
    return [tuple(shape)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if dtype in ("int8", "int16") and (x.quant.zp != out.quant.zp or not np.isclose(x.quant.s, out.quant.s)):
        raise c.fail(node, "input and output quantisation differ; STRIDED_SLICE cannot rescale")
    return {"dtype": dtype}


def index(node, shape) -> tuple:
    idx = []
    for start, stop, stride in bounds(node, shape):
        idx.append(slice(start, None if stop < 0 else stop, stride) if start >= 0 else slice(0, 0))
    return tuple(idx)


def run(node, g, inputs, p):
    x = inputs[0]
    y = x[index(node, x.shape)]
    return [np.ascontiguousarray(y).reshape(g.tensors[node.outputs[0]].shape)]

_MASKS = (("begin_mask", "beginMask"), ("end_mask", "endMask"), ("ellipsis_mask", "ellipsisMask"),
          ("new_axis_mask", "newAxisMask"), ("shrink_axis_mask", "shrinkAxisMask"))


def _tflite_read(ctx) -> dict:
    begin, end, strides = (ctx.const(k, what) for k, what in (
        (1, "STRIDED_SLICE begin"), (2, "STRIDED_SLICE end"), (3, "STRIDED_SLICE strides")))
    o = ctx.o
    return {"begin": tuple(int(v) for v in begin), "end": tuple(int(v) for v in end),
            "strides": tuple(int(v) for v in strides),
            **{k: int(getattr(o, camel, 0)) if o is not None else 0 for k, camel in _MASKS},
            "offset": bool(getattr(o, "offset", False)) if o is not None else False}


def _tflite_write(ctx, node, inputs):
    a = node.attrs
    inputs = inputs[:1] + [ctx.const_int32(node, k, a[k]) for k in ("begin", "end", "strides")]
    opt = ctx.options()
    for k, camel in _MASKS:
        setattr(opt, camel, int(a[k]))
    opt.offset = bool(a["offset"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("STRIDED_SLICE", "StridedSliceOptions", operands=1, read=_tflite_read,
                        write=_tflite_write)


def node(name: str, x: str, y: str, begin: tuple, end: tuple):
    """A STRIDED_SLICE node `name` writing `y`, the box [begin, end) of `x` (unit strides, no masks)."""
    from tinycc.core.graph import Node
    return Node(name, NAME, [x], [y], {"begin": tuple(begin), "end": tuple(end), "strides": (1,) * len(begin),
                                       "begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
                                       "shrink_axis_mask": 0, "offset": False})

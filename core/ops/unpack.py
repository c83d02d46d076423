"""UNPACK: one output per index along an axis, that axis removed (TFLM copies bytes; quantised
outputs must share the input's scale and zero point)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "unpack"
INPUTS = ("input",)
ATTRS = {"axis": 0, "num": None}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}*" for d in DTYPES)      # input -> every output alike
SHARES_INPUT_QUANT = True
AXIS_ATTRS = {"axis": "axis"}


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axis = mv.resolve_axis(node, len(x.shape))
    num = node.attrs["num"]
    if num is not None and int(num) != x.shape[axis]:
        raise c.fail(node, f"num {num} differs from dimension {axis} of the input {x.shape}")
    if len(node.outputs) != x.shape[axis]:
        raise c.fail(node, f"has {len(node.outputs)} outputs, UNPACK of {x.shape} along axis {axis} "
                           f"makes {x.shape[axis]}")
    return [tuple(d for k, d in enumerate(x.shape) if k != axis)] * x.shape[axis]


prepare = mv.prepare_copy(DTYPES)


def run(node, g, inputs, p):
    return [np.ascontiguousarray(v) for v in np.moveaxis(inputs[0], node.attrs["axis"], 0)]


def _tflite_read(ctx) -> dict:
    o = ctx.o
    return {"axis": int(getattr(o, "axis", 0)) if o is not None else 0,
            "num": int(getattr(o, "num", 0)) if o is not None else 0}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.num = len(node.outputs)
    opt.axis = int(node.attrs["axis"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("UNPACK", "UnpackOptions", read=_tflite_read, write=_tflite_write)

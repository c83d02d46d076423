"""PACK: N equally shaped tensors stacked along a new axis (TFLM copies bytes; quantised inputs
must share the output's scale and zero point)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "pack"
INPUTS = ("inputs*",)
ATTRS = {"axis": 0}
DTYPES = ("int8", "int16", "int32", "int64", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # every input and the output alike
COMMON_QUANT = True                     # PTQ requantises inputs quantised otherwise (TFLM: one quantisation)
AXIS_ATTRS = {"axis": "axis"}


def infer(node, g):
    xs = [g.tensors[n] for n in node.inputs]
    shape = xs[0].shape
    for t in xs[1:]:
        if t.shape != shape:
            raise c.fail(node, f"input shapes {[t.shape for t in xs]} differ; PACK stacks equal shapes")
    axis = mv.resolve_axis(node, len(shape) + 1)
    return [(*shape[:axis], len(xs), *shape[axis:])]


prepare = mv.prepare_copy(DTYPES)


def run(node, g, inputs, p):
    return [np.stack(inputs, axis=node.attrs["axis"])]


def _tflite_read(ctx) -> dict:
    o = ctx.o
    count = int(getattr(o, "valuesCount", 0)) if o is not None else 0
    if count != len(ctx.ins):
        raise ctx.fail(f"values_count {count} differs from the {len(ctx.ins)} inputs",
                       hint="TF Lite Micro would read past its inputs; the file is corrupted")
    return {"axis": int(getattr(o, "axis", 0))}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.valuesCount = len(node.inputs)
    opt.axis = int(node.attrs["axis"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("PACK", "PackOptions", read=_tflite_read, write=_tflite_write)

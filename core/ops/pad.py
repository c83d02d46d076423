"""PAD / PADV2: constant padding. Quantised tensors pad with the output zero point (PAD) or the
given constant (PADV2), as TFLM does; input and output must share quantisation."""
from __future__ import annotations

import numpy as np

from tinycc.core.graph import Tensor
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "pad"
INPUTS = ("input",)
ATTRS = {"paddings": (), "value": None}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"paddings": "per_axis"}


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    pads = tuple(tuple(int(v) for v in row) for row in node.attrs["paddings"])
    if len(pads) != len(x.shape):
        raise c.fail(node, f"paddings give {len(pads)} dimensions for a {len(x.shape)}-D input")
    if any(len(row) != 2 or min(row) < 0 for row in pads):
        raise c.fail(node, f"paddings must be non-negative (before, after) pairs, got {pads}")
    if len(pads) > 5:
        raise c.fail(node, "padding is supported up to 5 dimensions (as in TFLM)")
    node.attrs["paddings"] = pads
    return [tuple(d + b + e for d, (b, e) in zip(x.shape, pads))]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    value = node.attrs["value"]
    if dtype in ("int8", "int16"):
        if x.quant.zp != out.quant.zp or not np.isclose(x.quant.s, out.quant.s):
            raise c.fail(node, "input and output quantisation differ; PAD cannot rescale")
        # TFLM's PAD fills int8 with the output zero point, int16 with 0 (whatever its zero point)
        fill = (out.quant.zp if dtype == "int8" else 0) if value is None else int(value)
        lo, hi = c.INT_RANGES[dtype]
        if not lo <= fill <= hi:
            raise c.fail(node, f"pad value {fill} is outside the {dtype} range [{lo}, {hi}]")
    else:
        fill = 0 if value is None else value
    return {"dtype": dtype, "fill": fill}


def run(node, g, inputs, p):
    return [np.pad(inputs[0], node.attrs["paddings"], constant_values=p["fill"])]


def _tflite_read(ctx) -> dict:
    paddings = ctx.const(1, "PAD paddings")
    attrs = {"paddings": tuple(tuple(int(v) for v in row) for row in paddings.reshape(-1, 2))}
    if ctx.input(2) is not None:
        attrs["value"] = ctx.const(2, "PADV2 constant value").reshape(-1)[0].item()
    return attrs


def _tflite_write(ctx, node, inputs):
    inputs = inputs[:1] + [ctx.const_int32(node, "paddings", node.attrs["paddings"])]
    value, builtin, x = node.attrs.get("value"), ctx.builtin, ctx.x
    if value is not None:
        builtin = "PADV2"
        data = np.array([value], dtype=np.dtype(x.dtype))
        inputs.append(ctx.made(Tensor(f"{node.name}/value", (1,), x.dtype, x.quant, data)))
    return builtin, None, inputs


TFLITE = _tflite.TFLite("PAD", also=("PADV2",), operands=1, read=_tflite_read, write=_tflite_write,
                        resolver={"PADV2": "AddPadV2"})

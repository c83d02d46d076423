"""TRANSPOSE by a permutation of up to 6 axes (data movement only)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "transpose"
INPUTS = ("input",)
ATTRS = {"perm": ()}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"perm": "perm"}


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    perm = tuple(int(v) for v in node.attrs["perm"])
    if sorted(perm) != list(range(len(x.shape))):
        raise c.fail(node, f"perm {perm} is not a permutation of the {len(x.shape)} input axes")
    if len(perm) > 6:
        raise c.fail(node, "transpose is supported up to 6 dimensions")
    node.attrs["perm"] = perm
    return [tuple(x.shape[k] for k in perm)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if dtype in ("int8", "int16") and (x.quant.zp != out.quant.zp or not np.isclose(x.quant.s, out.quant.s)):
        raise c.fail(node, "input and output quantisation differ; TRANSPOSE cannot rescale")
    return {"dtype": dtype}


def run(node, g, inputs, p):
    return [np.ascontiguousarray(np.transpose(inputs[0], node.attrs["perm"]))]


def _tflite_read(ctx) -> dict:
    return {"perm": tuple(int(v) for v in ctx.const(1, "TRANSPOSE permutation").reshape(-1))}


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, inputs[:1] + [ctx.const_int32(node, "perm", node.attrs["perm"])]


TFLITE = _tflite.TFLite("TRANSPOSE", operands=1, read=_tflite_read, write=_tflite_write)


def node(name: str, x: str, y: str, perm: tuple):
    """A TRANSPOSE node `name` writing `y`, `x` with its axes permuted by `perm`."""
    from tinycc.core.graph import Node
    return Node(name, NAME, [x], [y], {"perm": perm})

"""SQUEEZE: drop size-1 dimensions (the listed axes, or every size-1 one when none are listed).
Same bytes, new shape: a view the planner aliases, like RESHAPE. Quantisation must be unchanged."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite, reshape
from tinycc.core.ops import common as c

NAME = "squeeze"
INPUTS = ("input",)
ATTRS = {"axes": ()}                                   # () squeezes every size-1 dimension (TFLite)
DTYPES = reshape.DTYPES                                # TFLM's SqueezeEval copies the bytes of any type
SIGNATURES = reshape.SIGNATURES
SHARES_INPUT_QUANT, VALUE_PRESERVING, VIEW = True, True, True
AXIS_ATTRS = {"axes": "axes"}
MAX_AXES = 8                                           # TFLM's SqueezeParams hold at most 8 dims (and rank <= 8)


def _squeezed(node, shape) -> set[int]:
    rank = len(shape)
    axes = tuple(int(a) for a in node.attrs["axes"])
    if len(axes) > MAX_AXES or rank > MAX_AXES:
        raise c.fail(node, f"{len(axes)} axes of a {rank}-D input: TF Lite Micro squeezes at most {MAX_AXES}")
    if not axes:
        return {k for k, d in enumerate(shape) if d == 1}
    out = set()
    for a in axes:
        k = a + rank if a < 0 else a
        if not 0 <= k < rank or shape[k] != 1:
            raise c.fail(node, f"axis {a} of an input of shape {tuple(shape)} is "
                         + ("out of range" if not 0 <= k < rank else f"of size {shape[k]}, not 1"),
                         hint="SQUEEZE removes size-1 dimensions only")
        out.add(k)
    return out


def infer(node, g):
    shape = g.tensors[node.inputs[0]].shape
    drop = _squeezed(node, shape)
    return [tuple(d for k, d in enumerate(shape) if k not in drop)]


def prepare(node, g):
    return view_prepare(node, g, "SQUEEZE", DTYPES)


def view_prepare(node, g, kernel: str, dtypes: tuple[str, ...]) -> dict:
    """A view's checks (SQUEEZE, EXPAND_DIMS): a supported dtype and the input's quantisation."""
    dtype = c.check_dtypes(node, g, dtypes)
    xq, oq = g.tensors[node.inputs[0]].quant, g.tensors[node.outputs[0]].quant   # set: validate checked int8/16
    if dtype in ("int8", "int16") and xq is not None and oq is not None and (
            xq.zp != oq.zp or not np.isclose(xq.s, oq.s)):
        raise c.fail(node, f"input and output quantisation differ; {kernel} cannot rescale",
                     hint="give both tensors the same scale and zero point")
    return {"dtype": dtype}


def run(node, g, inputs, p):
    return [inputs[0].reshape(g.tensors[node.outputs[0]].shape)]


def _tflite_read(ctx) -> dict:
    dims = getattr(ctx.o, "squeezeDims", None) if ctx.o is not None else None
    dims = () if dims is None else tuple(int(d) for d in dims)
    if len(dims) > MAX_AXES:
        raise ctx.fail(f"{len(dims)} squeeze dims; TF Lite Micro reads at most {MAX_AXES}",
                       hint="the file is corrupted")
    return {"axes": dims}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.squeezeDims = np.array(node.attrs["axes"], dtype=np.int32)
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("SQUEEZE", "SqueezeOptions", read=_tflite_read, write=_tflite_write)

"""What SUM, REDUCE_MAX and REDUCE_MIN share with MEAN (core/ops/mean.py): the constant `axes`
operand as an attribute, the shape rule (keep_dims or not), the ReducerOptions codec, and the
view of the input as (outputs, reduced elements) in TFLM's row-major reduction order."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c
from tinycc.core.ops import mean as _mean

INPUTS = ("input",)
ATTRS = {"axes": (), "keep_dims": False}
AXIS_ATTRS = {"axes": "axes"}
MAX_RANK = _mean.MAX_RANK
resolved_axes = _mean.resolved_axes
read, write = _mean._tflite_read, _mean._tflite_write


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axes = resolved_axes(node, len(x.shape))
    if not axes:
        raise c.fail(node, f"{node.op.upper()} with no axes to reduce is not supported",
                     hint="give the axes to reduce over, or remove the op")
    if node.attrs["keep_dims"]:
        return [tuple(1 if k in axes else d for k, d in enumerate(x.shape))]
    return [tuple(d for k, d in enumerate(x.shape) if k not in axes)]


def check(node, g, dtypes) -> tuple[str, tuple[int, ...], int]:
    """(dtype, resolved axes, reduced element count); the output dtype must be the input's."""
    dtype = c.check_dtypes(node, g, dtypes)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output dtype {out.dtype} differs from input dtype {dtype}",
                     hint=f"TF Lite Micro's {node.op.upper()} writes its output in the input's dtype")
    if len(x.shape) > MAX_RANK:
        raise c.fail(node, f"{len(x.shape)}-D input is not supported (at most {MAX_RANK} dimensions)")
    axes = resolved_axes(node, len(x.shape))
    return dtype, axes, int(np.prod([x.shape[a] for a in axes], dtype=np.int64))


def rows(x: np.ndarray, axes) -> np.ndarray:
    """x as (outputs, reduced elements): kept axes first, both groups in row-major order."""
    return _mean._reduced_last(x, axes)

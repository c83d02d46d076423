"""Shared by the operators of this family that take two (or three) tensors broadcast against each
other without a fused activation: MINIMUM/MAXIMUM, the six comparisons, LOGICAL_AND/OR, DIV,
SQUARED_DIFFERENCE, FLOOR_DIV/FLOOR_MOD, PRELU. The shape rule is ADD's (core/ops/_binary.py),
capped at the rank TFLM's broadcasting kernel for the op handles; the dtype rule: every value
input has the first input's dtype."""
from __future__ import annotations

import numpy as np

from tinycc.core import quant_limits as ql
from tinycc.core.ops import _binary
from tinycc.core.ops import common as c

INPUTS = ("a", "b")


def infer_up_to(rank: int, always: bool = False):
    """ADD's broadcast rule, refusing a result of more than `rank` dimensions when the kernel
    broadcasts (TFLM's BroadcastBinaryFunction4DSlow and friends: 4 or 5), or always."""
    def infer(node, g):
        (shape,) = _binary.infer(node, g)
        shapes = [tuple(g.tensors[n].shape) for n in node.inputs]
        broadcasts = any(s != shapes[0] for s in shapes)
        if len(shape) > rank and (always or broadcasts):
            raise c.fail(node, f"the result has {len(shape)} dimensions; TF Lite Micro's {node.op} handles at most "
                               f"{rank}" + (" when its inputs broadcast" if not always else ""),
                         hint="reshape the operands to fewer dimensions")
        return [shape]
    return infer


def same_dtype(node, g, dtypes, first: int = 0) -> str:
    """The dtype of input `first`, which every later input shares; quantised ones carry parameters."""
    ins = [g.tensors[n] for n in node.inputs]
    dtype = ins[first].dtype
    if dtype not in dtypes:
        raise c.fail(node, f"input dtype {dtype} is not supported", hint=f"supported: {', '.join(dtypes)}")
    for t in ins[first + 1:]:
        if t.dtype != dtype:
            raise c.fail(node, f"inputs have different dtypes ({dtype} and {t.dtype} of {t.name!r})")
    for t in ins[first:]:
        if dtype in ("int8", "int16") and t.quant is None:
            raise c.fail(node, f"input {t.name!r} is {dtype} but has no quantisation parameters")
    return dtype


def input_rescale(t, left_shift: int) -> dict:
    """TFLM's comparison rescale of one input: QuantizeMultiplierSmallerThanOneExp(scale), which
    aborts unless 0 < scale < 1 (refused here with the tensor and the value)."""
    m, s = ql.rescale_below_one(t.quant.s, ql.tensor_scale(t))
    return {"zp": int(t.quant.zp), "multiplier": m, "shift": s, "left_shift": left_shift}


def broadcast_pair(a, b):
    return np.broadcast_arrays(np.asarray(a), np.asarray(b))


def prepare_same_dtype(dtypes):
    """The prepare of an op whose only parameter is its inputs' shared dtype (same_dtype)."""
    def prepare(node, g):
        return {"dtype": same_dtype(node, g, dtypes)}
    return prepare


def broadcast_run(function):
    """The reference of an op computing function(a, b) on its broadcast inputs, in the prepared dtype."""
    def run(node, g, inputs, p):
        a, b = broadcast_pair(*inputs)
        return [np.asarray(function(a, b)).astype(p["dtype"])]
    return run

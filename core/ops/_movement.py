"""Shared by the byte-moving operators (PACK, UNPACK, SPLIT, SLICE, GATHER, ...): axis
normalisation, the quantisation check (TFLM copies bytes and never rescales), constant operands."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c

QUANTISED = ("int8", "int16")


def axis(node, value, rank: int, what: str = "axis") -> int:
    """`value` in [-rank, rank) as a non-negative axis, or a clear error."""
    value = int(value)
    if not -rank <= value < rank:
        raise c.fail(node, f"{what} {value} is out of range for a {rank}-D tensor",
                     hint=f"valid: {-rank}..{rank - 1}")
    return value % rank


def same_dtype_and_quant(node, g, names, builtin: str, allowed) -> str:
    """Every tensor of `names` has one dtype among `allowed` and, quantised, one scale and zero
    point (TFLM's kernel copies bytes: a different quantisation would not be rescaled)."""
    ts = [g.tensors[n] for n in names]
    dtype = ts[0].dtype
    if dtype not in allowed:
        raise c.fail(node, f"input dtype {dtype} is not supported", hint="supported: " + ", ".join(allowed))
    for t in ts[1:]:
        if t.dtype != dtype:
            raise c.fail(node, f"tensor {t.name!r} is {t.dtype}, expected {dtype} like {ts[0].name!r}")
    if dtype in QUANTISED:
        ref = ts[0]
        for t in ts:
            if t.quant is None or t.quant.per_channel:
                raise c.fail(node, f"tensor {t.name!r} needs one (per-tensor) scale and zero point")
            if t.quant.zp != ref.quant.zp or not np.isclose(t.quant.s, ref.quant.s):
                raise c.fail(node, f"tensor {t.name!r} is quantised differently from {ref.name!r} "
                                   f"(scale {t.quant.s:g} zero point {t.quant.zp} vs {ref.quant.s:g}, "
                                   f"{ref.quant.zp}); {builtin} copies bytes and cannot rescale",
                             hint="requantise with a QUANTIZE op first")
    return dtype


def prepare_copy(dtypes):
    """The prepare of an operator copying bytes between its inputs and outputs (PACK, UNPACK, SPLIT):
    one dtype among `dtypes` and one quantisation over all of them (same_dtype_and_quant)."""
    def prepare(node, g):
        return {"dtype": same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], node.op.upper(), dtypes)}
    return prepare


def resolve_axis(node, rank: int) -> int:
    """The node's `axis` attribute for a `rank`-D tensor, made non-negative in place (axis())."""
    node.attrs["axis"] = axis(node, node.attrs["axis"], rank)
    return node.attrs["axis"]

"""Shared by the operators that normalise each row along the last axis, L2_NORMALIZATION and LOG_SOFTMAX:
the shape rule (output shaped as the input), the view as (rows, depth), the dtype rule, the one int8
output quantisation TFLM's kernel writes, and the longest row its int32 sums allow."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c

INPUTS = ("input",)


def infer(node, g):
    return [g.tensors[node.inputs[0]].shape]


def prepare_rows(node, g, dtypes, max_rank: int | None = None) -> dict:
    """{"dtype", "depth", "rows"}: output dtype = input dtype, 1..max_rank dimensions."""
    dtype = c.check_dtypes(node, g, dtypes)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output dtype {out.dtype} differs from input dtype {dtype}")
    rank = len(x.shape)
    if rank < 1:
        raise c.fail(node, "a 0-D input has no axis to normalise")
    if max_rank is not None and rank > max_rank:
        raise c.fail(node, f"{rank}-D input is not supported", hint=f"TF Lite Micro takes 1 to {max_rank} dimensions")
    depth = int(x.shape[-1])
    return {"dtype": dtype, "depth": depth, "rows": int(x.size // depth) if depth else 0}


def check_int8_rows(node, g, p: dict, fixed_quant: tuple[float, int], spelled: str, max_depth: int,
                    overflow: str) -> None:
    """The int8 output must be quantised as TFLM's kernel writes it (`fixed_quant`, `spelled` e.g.
    "1/128"); rows of more than `max_depth` elements are refused (`overflow` says which sum)."""
    out = g.tensors[node.outputs[0]]
    s, zp = fixed_quant
    if int(out.quant.zp) != zp or np.float32(out.quant.s) != np.float32(s):
        raise c.fail(node, f"output {out.name!r} has scale {float(out.quant.s):.6g} and zero point "
                           f"{int(out.quant.zp)}; TF Lite Micro's int8 {node.op.upper()} requires scale {spelled} "
                           f"and zero point {zp}",
                     hint=f"quantise the output with scale {s:g} and zero point {zp} (the TFLite spec)")
    if p["depth"] > max_depth:
        raise c.fail(node, f"rows of {p['depth']} elements: {overflow} could overflow",
                     hint=f"at most {max_depth} elements along the last axis")

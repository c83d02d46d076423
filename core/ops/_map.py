"""Shared by the one-input elementwise operators whose kernel is a plain function of each element
(FLOOR, SQRT, LOGICAL_NOT, CAST, ...): TFLM checks only the types, so `prepare` checks them too."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c


def check_types(node, g, dtypes: tuple[str, ...], same: bool = True) -> str:
    """The input dtype if it is one of `dtypes` (and, with `same`, the output's dtype too)."""
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if x.dtype not in dtypes:
        raise c.fail(node, f"input dtype {x.dtype} is not supported", hint=f"supported: {', '.join(dtypes)}")
    if same and y.dtype != x.dtype:
        raise c.fail(node, f"output {y.name!r} is {y.dtype} but the input is {x.dtype}; TFLM's kernel "
                           "needs both of one dtype")
    return x.dtype


def float_prepare(node, g) -> dict:
    """float32 -> float32 only (TFLM's SQRT, FLOOR, EXP, ...)."""
    return {"dtype": check_types(node, g, ("float32",))}


def float32(fn):
    """`run` of a float32 operator computing fn(x) in float32."""
    def run(node, g, inputs, p):
        with np.errstate(all="ignore"):
            return [np.asarray(fn(inputs[0].astype(np.float32)), dtype=np.float32)]
    return run

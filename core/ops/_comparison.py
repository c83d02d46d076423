"""Shared by EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL (TFLM's comparisons.cc):
two inputs of one dtype broadcast (at most 4 dimensions when they broadcast), a bool output.

Unquantised dtypes compare the stored values. int8 compares each input rescaled on its own:
((x - zp) << 8) times its scale as a Q0.31 multiplier (QuantizeMultiplierSmallerThanOneExp, so
0 < scale < 1), so inputs of different quantisations compare by real value, rounded as TFLM does.
int16 is left out: the installed TFLM's Prepare computes these multipliers for int8 only, and its
int16 GREATER compares with unset parameters (EQUAL, LESS, ... refuse int16 at Invoke)."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _compare
from tinycc.core.ops import common as c

INPUTS = _compare.INPUTS
ATTRS: dict = {}
LEFT_SHIFT = 8
FUNCTIONS = {"equal": np.equal, "not_equal": np.not_equal, "greater": np.greater,
             "greater_equal": np.greater_equal, "less": np.less, "less_equal": np.less_equal}
C_OPERATORS = {"equal": "==", "not_equal": "!=", "greater": ">", "greater_equal": ">=", "less": "<",
               "less_equal": "<="}


def prepare_for(node, g, dtypes) -> dict:
    dtype = _compare.same_dtype(node, g, dtypes)
    out = g.tensors[node.outputs[0]]
    if out.dtype != "bool":
        raise c.fail(node, f"output {out.name!r} is {out.dtype}; a comparison outputs bool")
    if dtype not in ("int8", "int16"):
        return {"dtype": dtype}
    a, b = (g.tensors[n] for n in node.inputs)
    return {"dtype": dtype, "input1": _compare.input_rescale(a, LEFT_SHIFT),
            "input2": _compare.input_rescale(b, LEFT_SHIFT)}


def scaled(x, q) -> np.ndarray:
    return fp.multiply_by_quantized_multiplier((x.astype(np.int64) - q["zp"]) << q["left_shift"],
                                               q["multiplier"], q["shift"])


def run(node, g, inputs, p):
    a, b = inputs
    if p["dtype"] in ("int8", "int16"):
        a, b = scaled(a, p["input1"]), scaled(b, p["input2"])
    return [np.asarray(FUNCTIONS[node.op](a, b), dtype=np.bool_)]


def prepare_with(dtypes):
    """A comparison's prepare over its own dtypes (prepare_for)."""
    def prepare(node, g):
        return prepare_for(node, g, dtypes)
    return prepare

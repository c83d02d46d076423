"""Constant: a numeric value the importer keeps as a constant (no core node)."""
from __future__ import annotations

import numpy as np

MIN_INPUTS = 0


def convert(ctx, node, out, name):
    for a in node.attribute:
        if a.name == "value" and a.type == a.TENSOR:
            try:
                value = ctx.nph.to_array(a.t)
            except Exception as exc:      # dims, data type and data disagree
                raise ctx.fail(node, f"the constant is malformed ({type(exc).__name__}: {exc})") from None
            if value.dtype.kind not in "biuf":
                raise ctx.fail(node, f"constant of data type {value.dtype} is not supported")
            ctx.const[out] = value
            return
        if a.name in ("value_float", "value_int", "value_floats", "value_ints") and \
                a.type in (a.FLOAT, a.INT, a.FLOATS, a.INTS):
            ctx.const[out] = np.asarray(ctx.onnx.helper.get_attribute_value(a))
            return
    raise ctx.fail(node, "Constant without a numeric value is not supported")

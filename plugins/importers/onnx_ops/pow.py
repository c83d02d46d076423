"""Pow with a constant exponent of one value: 2 -> SQUARE, 3 -> SQUARE then MUL, 0.5 -> SQRT,
-0.5 -> RSQRT, -1 -> DIV of 1, 1 -> the input itself. Any other exponent, or one the model
computes, is refused (no core op raises to a general power)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._compose import Composer

EXPONENTS = (2.0, 3.0, 0.5, -0.5, -1.0, 1.0)
MIN_INPUTS = 2


def convert(ctx, node, out, name):
    n = ctx.name(node.input[1])
    if n not in ctx.const and n not in ctx.dq_const:
        raise ctx.fail(node, "the exponent is computed by the model; only a constant exponent is supported",
                       hint=f"exponents {', '.join(f'{e:g}' for e in EXPONENTS)} as constants")
    y = np.asarray(ctx.get_const(node, n, "Pow exponent"))
    rank = len(ctx.infer_shape(ctx.value(node, node.input[0])))
    if y.size != 1 or y.ndim > rank:
        raise ctx.fail(node, f"the exponent has shape {y.shape}; one value (that does not add dimensions) is "
                             "supported")
    e = float(y.reshape(-1)[0])
    if e not in EXPONENTS:
        raise ctx.fail(node, f"Pow with the exponent {e:g} is not supported",
                       hint=f"exponents {', '.join(f'{e:g}' for e in EXPONENTS)}")
    op = Composer(ctx, node, name)
    x = node.input[0]
    if e == 1.0:
        ctx.alias[out] = ctx.value(node, x)
    elif e == 3.0:
        op("mul", op("square", x), x, out=out)
    elif e == -1.0:
        op("div", op.const(1.0, "one"), x, out=out)
    else:
        op({2.0: "square", 0.5: "sqrt", -0.5: "rsqrt"}[e], x, out=out)

"""Gelu (opset 20): approximate "none" is x * 0.5 * (1 + erf(x / sqrt 2)) with the composed erf
(_erf.py); "tanh" is x * 0.5 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) with the core TANH."""
from __future__ import annotations

import math

from tinycc.plugins.importers.onnx_ops._compose import Composer
from tinycc.plugins.importers.onnx_ops._erf import erf


def convert(ctx, node, out, name):
    how = ctx.attr(node, "approximate", b"none")
    how = how.decode(errors="replace") if isinstance(how, bytes) else how
    op = Composer(ctx, node, name)
    x = node.input[0]
    if how == "none":
        inner = erf(op, op("mul", x, op.const(1.0 / math.sqrt(2.0), "rsqrt2")))
    elif how == "tanh":
        cube = op("mul", op("mul", op("square", x), x), op.const(0.044715, "k"))
        inner = op("tanh", op("mul", op("add", x, cube), op.const(math.sqrt(2.0 / math.pi), "s")))
    else:
        raise ctx.fail(node, f"approximate {how!r} is not a Gelu mode", hint="'none' or 'tanh'")
    half = op("mul", x, op.const(0.5, "half"))
    op("mul", half, op("add", inner, op.const(1.0, "one")), out=out)

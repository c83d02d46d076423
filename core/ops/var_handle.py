"""VAR_HANDLE: the handle of the resource variable named (container, shared_name), model-wide
(core/control.py). tinycc resolves handles at compile time: the output carries no data its
consumers read (the reference writes 0)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite

NAME = "var_handle"
RESOURCE_ROLE = "handle"
INPUTS: tuple[str, ...] = ()
ATTRS: dict = {"container": "", "shared_name": ""}
DTYPES = ("resource",)
SIGNATURES = (" -> resource",)
ORDERED = True


def infer(node, g):
    return [()]


def prepare(node, g):
    return {}


def run(node, g, inputs, p):
    return [np.zeros((), np.int32)]


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _read(ctx):
    return {"container": _text(ctx.o.container if ctx.o is not None else None),
            "shared_name": _text(ctx.o.sharedName if ctx.o is not None else None)}


def _write(ctx, node, inputs):
    opt = ctx.options()
    opt.container = node.attrs["container"]
    opt.sharedName = node.attrs["shared_name"]
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("VAR_HANDLE", "VarHandleOptions", read=_read, write=_write, fused_activation=False)

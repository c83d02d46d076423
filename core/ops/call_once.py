"""CALL_ONCE: runs its init subgraph on the model's first invoke only (variable initialisation);
TF Lite Micro's reset does not run it again (core/control.py)."""
from __future__ import annotations

from tinycc.core import control
from tinycc.core.ops import _tflite

NAME = "call_once"
INPUTS: tuple[str, ...] = ()
ATTRS: dict = {"init_subgraph": 0}
DTYPES: tuple[str, ...] = ()
SIGNATURES: tuple[str, ...] = ()
ORDERED = True
SUBGRAPH_ATTRS = ("init_subgraph",)


def infer(node, g):
    return []


def prepare(node, g):
    init = control.subgraph(node, g, "init_subgraph")
    control.check_signature(node, g, init, [], [], "init")
    return {"init": int(node.attrs["init_subgraph"])}


def call_inputs(node):
    """The caller's tensors that become the called subgraphs' inputs, in order."""
    return []


def run(node, g, inputs, p):
    rt = p["runtime"]
    if p["init"] not in rt.once:
        rt.once.add(p["init"])
        rt.call(p["init"], [])
    return []


def _read(ctx):
    return {"init_subgraph": int(ctx.o.initSubgraphIndex) if ctx.o is not None else 0}


def _write(ctx, node, inputs):
    opt = ctx.options()
    opt.initSubgraphIndex = int(node.attrs["init_subgraph"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("CALL_ONCE", "CallOnceOptions", read=_read, write=_write, fused_activation=False)

"""IF: runs the then subgraph when the (one-element, bool) condition holds, else the else subgraph,
on inputs 1.. ; their outputs are the operator's (static shapes: core/control.py checks them)."""
from __future__ import annotations

from tinycc.core import control
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "if"
INPUTS = ("cond", "inputs*")
ATTRS: dict = {"then_subgraph": 0, "else_subgraph": 0}
DTYPES = ("bool",)
SIGNATURES: tuple[str, ...] = ()       # any dtypes the subgraphs take (checked in prepare)
ORDERED = True
SUBGRAPH_ATTRS = ("then_subgraph", "else_subgraph")


def infer(node, g):
    return [tuple(sg.tensors[n].shape) for sg in [control.subgraph(node, g, "then_subgraph")]
            for n in sg.outputs]


def prepare(node, g):
    cond = g.tensors[node.input(0)]
    if cond.dtype != "bool" or cond.size != 1:
        raise c.fail(node, f"the condition {cond.name!r} is {cond.dtype} {list(cond.shape)}, not one bool")
    for attr, what in (("then_subgraph", "then"), ("else_subgraph", "else")):
        control.check_signature(node, g, control.subgraph(node, g, attr), node.inputs[1:], node.outputs, what)
    return {"then": int(node.attrs["then_subgraph"]), "else": int(node.attrs["else_subgraph"])}


def call_inputs(node):
    """The caller's tensors that become the called subgraphs' inputs, in order."""
    return list(node.inputs[1:])


def run(node, g, inputs, p):
    branch = p["then"] if bool(inputs[0].reshape(-1)[0]) else p["else"]
    return p["runtime"].call(branch, inputs[1:])


def _read(ctx):
    o = ctx.o
    return {"then_subgraph": int(o.thenSubgraphIndex) if o is not None else 0,
            "else_subgraph": int(o.elseSubgraphIndex) if o is not None else 0}


def _write(ctx, node, inputs):
    opt = ctx.options()
    opt.thenSubgraphIndex, opt.elseSubgraphIndex = int(node.attrs["then_subgraph"]), int(node.attrs["else_subgraph"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("IF", "IfOptions", read=_read, write=_write, fused_activation=False)

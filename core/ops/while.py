"""WHILE: loop variables (the inputs) through the body subgraph as long as the cond subgraph's one
bool output holds; the outputs are the final loop variables (static shapes: core/control.py)."""
from __future__ import annotations

from tinycc.core import control
from tinycc.core.graph import DTYPES as ALL_DTYPES
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "while"
INPUTS = ("inputs*",)
ATTRS: dict = {"cond_subgraph": 0, "body_subgraph": 0}
DTYPES = tuple(ALL_DTYPES)
SIGNATURES: tuple[str, ...] = ()       # any dtypes (checked in prepare: the subgraphs take the loop variables)
ORDERED = True
SUBGRAPH_ATTRS = ("cond_subgraph", "body_subgraph")


def infer(node, g):
    return [tuple(g.tensors[n].shape) for n in node.inputs if n is not None]


def prepare(node, g):
    if any(n is None for n in node.inputs):
        raise c.fail(node, "a loop variable is omitted (-1)")
    cond, body = control.subgraph(node, g, "cond_subgraph"), control.subgraph(node, g, "body_subgraph")
    if len(cond.outputs) != 1 or cond.tensors[cond.outputs[0]].dtype != "bool" or \
            cond.tensors[cond.outputs[0]].size != 1:
        raise c.fail(node, "its cond subgraph must have one output, one bool",
                     hint=f"it has {[(cond.tensors[n].dtype, cond.tensors[n].shape) for n in cond.outputs]}")
    control.check_signature(node, g, cond, node.inputs, None, "cond")
    control.check_signature(node, g, body, node.inputs, node.outputs, "body")
    if [(g.tensors[a].dtype, g.tensors[a].shape) for a in node.inputs] != \
            [(g.tensors[b].dtype, g.tensors[b].shape) for b in node.outputs]:
        raise c.fail(node, "its outputs differ from its inputs (loop variables keep their dtype and shape)")
    for k, name in enumerate(node.inputs):        # a handle passed round the loop names one variable
        if name is not None and g.tensors[name].dtype == "resource" and \
                control.resolve(body, body.outputs[k], node) != control.resolve(g, name, node):
            raise c.fail(node, f"its body changes loop variable #{k}, a resource handle, to another variable")
    return {"cond": int(node.attrs["cond_subgraph"]), "body": int(node.attrs["body_subgraph"])}


def call_inputs(node):
    """The caller's tensors that become the called subgraphs' inputs, in order."""
    return list(node.inputs)


def run(node, g, inputs, p):
    rt, values = p["runtime"], list(inputs)
    while bool(rt.call(p["cond"], values)[0].reshape(-1)[0]):
        values = rt.call(p["body"], values)
    return values


def _read(ctx):
    o = ctx.o
    return {"cond_subgraph": int(o.condSubgraphIndex) if o is not None else 0,
            "body_subgraph": int(o.bodySubgraphIndex) if o is not None else 0}


def _write(ctx, node, inputs):
    opt = ctx.options()
    opt.condSubgraphIndex, opt.bodySubgraphIndex = int(node.attrs["cond_subgraph"]), int(node.attrs["body_subgraph"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("WHILE", "WhileOptions", read=_read, write=_write, fused_activation=False)

"""tinycc's core graph (float32) -> an Apache TVM Relax module, one Relax op per core op.

The driver: each node is lowered by its operator's module in ops/ (`relax_op`; an operator
without one is refused, naming the ones there are). NHWC throughout (conv2d with data_layout
NHWC / kernel_layout OHWI), so TVM's kernels read tinycc's tensors as they are. Fused
activations become relu / clip. Relax inputs are the core inputs in order, named by their C
identifiers (names.Namer: names are data).
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import names
from tinycc.backends.microtvm import ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph


def to_relax(g: Graph):
    from tvm import relax
    for t in g.tensors.values():
        if t.dtype != "float32" and not (t.is_const and t.dtype == "int32"):
            raise TinyccError("the Relax path takes float32 models only", file=g.source,
                              hint="quantised models go through generate_quantised()")
    bb = relax.BlockBuilder()
    namer = names.Namer()         # names are data: TVM makes C parameter names of these
    params = [relax.Var(namer(n, "input"), relax.TensorType(g.tensors[n].shape, "float32")) for n in g.inputs]
    env = dict(zip(g.inputs, params))

    def val(name):
        if name in env:
            return env[name]
        t = g.tensors[name]
        if t.is_const:
            return relax.const(np.ascontiguousarray(t.data.astype(np.float32)))
        raise KeyError(name)

    with bb.function("main", params):
        with bb.dataflow():
            for node in g.nodes:
                env[node.outputs[0]] = bb.emit(_op(relax, node, g, val))
            outs = [env[n] if n in env else val(n) for n in g.outputs]
            result = bb.emit_output(outs[0] if len(outs) == 1 else relax.Tuple(outs))
        bb.emit_func_output(result)
    return bb.get()


def _op(relax, node, g, val):
    x = val(node.inputs[0])
    lowering = ops.get(node.op)
    if lowering is None:
        raise TinyccError(f"the microtvm backend has no lowering for {node.op}", node=node.name, op=node.op,
                          hint="supported: " + ", ".join(ops.names()))
    return lowering.relax_op(relax, node, g, x, val)

"""Validation and shape inference of a core graph.

Checks that every node names a known op, that its tensors exist and are defined before use
(topological order), fills attribute defaults, infers output shapes and checks them against
the declared ones, and runs each op's `prepare` so unsupported dtypes fail here, naming the
node, rather than in a backend.
"""
from __future__ import annotations

from tinycc.core import ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph

MAX_TENSOR_ELEMENTS = 1 << 31


def validate(g: Graph) -> Graph:
    """Validate `g` in place (filling defaults and inferred shapes) and return it."""
    for name in [*g.inputs, *g.outputs]:
        if name not in g.tensors:
            raise TinyccError(f"graph input/output {name!r} is not a tensor of the model", file=g.source)
    defined = set(g.inputs) | {n for n, t in g.tensors.items() if t.is_const}
    for name, t in g.tensors.items():
        if any((not isinstance(d, int)) or d < 0 for d in t.shape):
            raise TinyccError(f"tensor {name!r} has an invalid shape {t.shape}", file=g.source,
                              hint="dynamic dimensions must be fixed before compiling (e.g. batch = 1)")
        if t.size > MAX_TENSOR_ELEMENTS:
            raise TinyccError(f"tensor {name!r} of shape {t.shape} is absurdly large", file=g.source)
        if t.quant is not None and t.quant.per_channel:
            dims = len(t.shape)
            if not 0 <= t.quant.axis < max(dims, 1) or t.shape[t.quant.axis] != t.quant.scale.size:
                raise TinyccError(f"tensor {name!r}: {t.quant.scale.size} per-channel scales do not match "
                                  f"axis {t.quant.axis} of shape {t.shape}", file=g.source)
    for node in g.nodes:
        op = ops.get(node.op)
        if op is None:
            raise TinyccError(f"operator {node.op!r} is not supported", node=node.name, op=node.op,
                              file=g.source, hint="supported: " + ", ".join(ops.supported()))
        node.attrs = ops.attrs_with_defaults(op, node.attrs)
        required = sum(1 for r in op.INPUTS if not r.endswith("?"))
        if not required <= len(node.inputs) <= len(op.INPUTS) and not op.INPUTS[-1].endswith("*"):
            raise TinyccError(f"expects {required}..{len(op.INPUTS)} inputs, got {len(node.inputs)}",
                              node=node.name, op=node.op, file=g.source)
        for name in node.inputs:
            if name is None:
                continue
            if name not in g.tensors:
                raise TinyccError(f"input tensor {name!r} does not exist", node=node.name, op=node.op, file=g.source)
            if name not in defined:
                raise TinyccError(f"input tensor {name!r} is used before it is computed (cycle or bad order)",
                                  node=node.name, op=node.op, file=g.source)
        for name in node.outputs:
            if name not in g.tensors:
                raise TinyccError(f"output tensor {name!r} does not exist", node=node.name, op=node.op, file=g.source)
            if name in defined:
                raise TinyccError(f"output tensor {name!r} is written twice (or is a constant/input)",
                                  node=node.name, op=node.op, file=g.source)
        try:
            shapes = op.infer(node, g)
            for name, shape in zip(node.outputs, shapes):
                t = g.tensors[name]
                shape = tuple(int(d) for d in shape)
                if t.shape and t.shape != shape and t.size != 0:
                    raise TinyccError(f"output {name!r} is declared {t.shape} but the op computes {shape}",
                                      node=node.name, op=node.op)
                t.shape = shape
            op.prepare(node, g)
        except TinyccError as err:
            raise err.with_file(g.source)
        defined.update(node.outputs)
    for name in g.outputs:
        if name not in defined:
            raise TinyccError(f"graph output {name!r} is never computed", file=g.source)
    return g

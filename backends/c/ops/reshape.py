"""C emitter for reshape and the other views (trait VIEW: squeeze, expand_dims): nothing when the
planner aliased the output to the input, else one memcpy."""
from __future__ import annotations


def emit(node, m, p):
    src, dst = node.inputs[0], node.outputs[0]
    # a subgraph's outputs live in its arena: one planned over its input is the same bytes too
    if m.plan.storage(dst) == m.plan.storage(src) and (dst not in m.g.outputs or m.ptr(dst) == m.ptr(src)):
        m.emit(f"/* {node.op}: shares its input's storage */")
        return
    m.copy(m.ptr(dst), m.ptr(src, const=True), m.g.tensors[src].nbytes)

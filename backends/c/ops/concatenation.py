"""C emitter for concatenation: one strided copy per input into its slot along the axis, except
for the inputs the planner placed in their slot already (core/concat_alias.py,
`MemoryPlan.slices`): their producers wrote them there, nothing is copied."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv
from tinycc.core.graph import np_dtype


def emit(node, m, p):
    out = node.outputs[0]
    y = m.g.tensors[out]
    axis = node.attrs["axis"]
    out_strides = mv.contiguous_strides(y.shape)
    itemsize = np_dtype(y.dtype).itemsize
    slices = getattr(m.plan, "slices", {})
    at, copied = 0, 0
    for name in node.inputs:
        x = m.g.tensors[name]
        dst_offset = at * out_strides[axis]
        s = slices.get(name)
        if s is not None and s.output == out:         # written in its slot by its producer
            if s.offset != dst_offset * itemsize or m.plan.offsets[name] != m.plan.offsets[out] + s.offset:
                raise AssertionError(f"plan puts {name!r} at the wrong place in {out!r}: {s}")
        else:
            b = mv.box(m, node, list(x.shape), mv.contiguous_strides(x.shape), out_strides, dst_offset=dst_offset)
            mv.copy(m, node, b, m.ptr(name, const=True), m.ptr(out))
            copied += 1
        at += x.shape[axis]
    if copied < len(node.inputs):
        m.emit(f"/* concatenation: {len(node.inputs) - copied} of {len(node.inputs)} input(s) written "
               "in their slot by their producer */")

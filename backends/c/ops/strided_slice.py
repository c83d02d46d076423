"""C emitter for strided_slice: one strided copy from the reference's resolved bounds."""
from __future__ import annotations

from tinycc.backends.c.ops import _movement as mv
from tinycc.core.ops.strided_slice import bounds


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    in_strides = mv.contiguous_strides(x.shape)
    dims, src_strides, offset = [], [], 0
    for k, (start, stop, stride) in enumerate(bounds(node, x.shape)):
        count = max((stop - start + stride - (1 if stride > 0 else -1)) // stride, 0)
        dims.append(count)
        src_strides.append(in_strides[k] * stride)
        offset += start * in_strides[k]
    b = mv.box(m, node, dims, src_strides, mv.contiguous_strides(dims), src_offset=offset)
    mv.copy(m, node, b, m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]))

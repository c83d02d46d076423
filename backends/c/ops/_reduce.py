"""Shared by the reduction emitters (MEAN, SUM, REDUCE_MAX, REDUCE_MIN): the kept and the reduced axes
as two boxes over the input, the tinycc_reduce struct the kernels (mean.h, reduce.h) take, and the
requantising integer call MEAN and SUM share (mean.h: SUM's multiplier does not fold 1/n in).

Size-1 dimensions are dropped and adjacent dimensions of the same kind (both kept or both reduced)
merged, as TFLM's ResolveAxis does; neither changes the row-major order of either box, so the
float sums add in TFLM's order.
"""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._movement import MAX_DIMS, contiguous_strides


def boxes(shape, axes):
    """((kept dims, strides), (reduced dims, strides)), merged and padded to MAX_DIMS at the front."""
    strides = contiguous_strides(shape)
    groups = []                                     # [reduced?, dim, stride], outermost first
    for k, (d, s) in enumerate(zip(shape, strides)):
        if d == 1:
            continue
        reduced = k in axes
        if groups and groups[-1][0] == reduced:
            groups[-1][1] *= d                      # contiguous: the outer stride is d * this stride
            groups[-1][2] = s
        else:
            groups.append([reduced, d, s])

    def box(reduced):
        dims = [d for r, d, _ in groups if r == reduced]
        strs = [s for r, _, s in groups if r == reduced]
        pad = MAX_DIMS - len(dims)
        return [1] * pad + dims, [0] * pad + strs

    return box(False), box(True)


def reduce_struct(node, m, p, *units: str) -> str:
    """The node's tinycc_reduce struct (its two boxes, output size, reduced count); `units` in use."""
    x = m.g.tensors[node.inputs[0]]
    (odims, ostrides), (idims, istrides) = boxes(x.shape, p["axes"])
    values = [odims, ostrides, idims, istrides, m.g.tensors[node.outputs[0]].size, p["count"]]
    for unit in units:
        m.use_kernel(unit)
    return m.struct("tinycc_reduce", f"{node.name}_reduce", values)


def emit_requantised(node, m, p, r: str) -> None:
    """mean.h's integer kernel: the sum over each reduced box, rescaled by prepare's multiplier."""
    m.emit(f"tinycc_mean_{SUFFIX[p['dtype']]}(&{r}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, "
           f"{p['input_zp']}, {p['multiplier']}, {p['shift']}, {p['output_zp']});")

"""C emitter for mean: the kept and the reduced axes as two boxes over the input, one kernel call.

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


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    (odims, ostrides), (idims, istrides) = boxes(x.shape, p["axes"])
    values = [odims, ostrides, idims, istrides, m.g.tensors[node.outputs[0]].size, p["count"]]
    r = m.struct("tinycc_reduce", f"{node.name}_reduce", values)
    m.use_kernel("mean.h")
    src, dst = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if p["dtype"] == "float32":
        m.emit(f"tinycc_mean_f32(&{r}, {src}, {dst});")
        return
    m.emit(f"tinycc_mean_{SUFFIX[p['dtype']]}(&{r}, {src}, {dst}, {p['input_zp']}, {p['multiplier']}, "
           f"{p['shift']}, {p['output_zp']});")

"""C emitter for sum: mean's two boxes; integer sums reuse mean.h's requantising kernel (the
multiplier does not fold 1/n in), float32 sums reduce.h's tinycc_sum_f32."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops.mean import boxes


def reduce_struct(node, m, p) -> str:
    x = m.g.tensors[node.inputs[0]]
    (odims, ostrides), (idims, istrides) = boxes(x.shape, p["axes"])
    values = [odims, ostrides, idims, istrides, m.g.tensors[node.outputs[0]].size, p["count"]]
    m.use_kernel("mean.h")
    m.use_kernel("reduce.h")
    return m.struct("tinycc_reduce", f"{node.name}_reduce", values)


def emit(node, m, p):
    r = reduce_struct(node, m, p)
    src, dst = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if p["dtype"] == "float32":
        m.emit(f"tinycc_sum_f32(&{r}, {src}, {dst});")
        return
    m.emit(f"tinycc_mean_{SUFFIX[p['dtype']]}(&{r}, {src}, {dst}, {p['input_zp']}, {p['multiplier']}, "
           f"{p['shift']}, {p['output_zp']});")

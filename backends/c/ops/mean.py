"""C emitter for mean: the kept and the reduced axes as two boxes over the input, one kernel call."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._movement import MAX_DIMS, contiguous_strides


def _pad(values, fill):
    return [fill] * (MAX_DIMS - len(values)) + list(values)


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    strides = contiguous_strides(x.shape)
    kept = [k for k in range(len(x.shape)) if k not in p["axes"]]
    outer = ([x.shape[k] for k in kept], [strides[k] for k in kept])
    inner = ([x.shape[k] for k in p["axes"]], [strides[k] for k in p["axes"]])
    values = [_pad(outer[0], 1), _pad(outer[1], 0), _pad(inner[0], 1), _pad(inner[1], 0),
              m.g.tensors[node.outputs[0]].size, p["count"]]
    r = m.struct("tinycc_reduce", f"{node.name}_reduce", values)
    m.use_kernel("mean.h")
    src, dst = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if p["dtype"] == "float32":
        m.emit(f"tinycc_mean_f32(&{r}, {src}, {dst});")
        return
    m.emit(f"tinycc_mean_{SUFFIX[p['dtype']]}(&{r}, {src}, {dst}, {p['input_zp']}, {p['multiplier']}, "
           f"{p['shift']}, {p['output_zp']});")

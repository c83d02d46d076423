"""C emitter for conv_2d: a call to tinycc_conv_2d_{s8,s16,f32} with its shape and constants."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, folded_bias, requant_arrays


def shape_values(node, m):
    g = m.g
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    a = node.attrs
    n, h, wd, ci = x.shape
    co, kh, kw, _ = w.shape
    return [n, h, wd, ci, y.shape[1], y.shape[2], co, kh, kw, *a["strides"], *a["dilations"], a["pads"][0], a["pads"][1]]


def use_kernels(m):
    for header in ("dot_s8.h", "inplace.h", "conv_2d.h"):
        m.use_kernel(header)


def shape_struct(node, m) -> str:
    return m.struct("tinycc_conv_shape", f"{node.name}_shape", shape_values(node, m))


def fast_constants(node, m, p):
    """(plain bias, folded bias) for the fast int8 kernel, or None when it does not apply."""
    if p["dtype"] != "int8" or tuple(node.attrs["dilations"]) != (1, 1):
        return None
    return folded_bias(node, m, p, m.g.tensors[node.inputs[1]].data, p["input_zp"])


def emit(node, m, p):
    dtype = p["dtype"]
    use_kernels(m)
    shape = shape_struct(node, m)
    x, w, y = m.ptr(node.inputs[0], const=True), m.ptr(node.inputs[1], const=True), m.ptr(node.outputs[0])
    bias = bias_ptr(node, m, dtype)
    if dtype == "float32":
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_conv_2d_f32(&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    folded = fast_constants(node, m, p)
    if folded is not None:
        # dot products over contiguous rows, the input offset folded into the bias (dot_s8.h)
        m.emit(f"tinycc_conv_2d_s8_fast(&{shape}, {x}, {w}, {folded[0]}, {folded[1]}, {y}, {p['input_zp']}, "
               f"{p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")
        return
    zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_conv_2d_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zp}{p['output_zp']}, "
           f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")

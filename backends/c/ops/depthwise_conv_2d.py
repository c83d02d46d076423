"""C emitter for depthwise_conv_2d: a call to tinycc_depthwise_conv_2d_{s8,s16,f32}."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, folded_bias, requant_arrays


def use_kernels(m):
    for header in ("dot_s8.h", "inplace.h", "depthwise_conv_2d.h"):
        m.use_kernel(header)


def shape_struct(node, m) -> str:
    g, a = m.g, node.attrs
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    n, h, wd, ci = x_t.shape
    _, kh, kw, co = w_t.shape
    return m.struct("tinycc_dw_shape", f"{node.name}_shape",
                    [n, h, wd, ci, y_t.shape[1], y_t.shape[2], co, kh, kw, *a["strides"], *a["dilations"],
                     a["pads"][0], a["pads"][1], a["depth_multiplier"]])


def fast_constants(node, m, p):
    """(plain bias, folded bias) for the fast int8 kernel, or None when it does not apply."""
    a, w_t = node.attrs, m.g.tensors[node.inputs[1]]
    if p["dtype"] != "int8" or a["depth_multiplier"] != 1 or tuple(a["dilations"]) != (1, 1):
        return None
    co = w_t.shape[3]
    # channels channel-last: (kh * kw, co) -> (co, kh * kw) for the per-channel weight sums
    return folded_bias(node, m, p, None if w_t.data is None else w_t.data.reshape(-1, co).T, p["input_zp"])


def emit(node, m, p):
    a = node.attrs
    dtype = p["dtype"]
    use_kernels(m)
    shape = shape_struct(node, m)
    x, w, y = m.ptr(node.inputs[0], const=True), m.ptr(node.inputs[1], const=True), m.ptr(node.outputs[0])
    bias = bias_ptr(node, m, dtype)
    if dtype == "float32":
        lo, hi = float_range(a["activation"])
        m.emit(f"tinycc_depthwise_conv_2d_f32(&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    folded = fast_constants(node, m, p)
    if folded is not None:
        m.emit(f"tinycc_depthwise_conv_2d_s8_fast(&{shape}, {x}, {w}, {folded[0]}, {folded[1]}, {y}, "
               f"{p['input_zp']}, {p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")
        return
    zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_depthwise_conv_2d_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zp}{p['output_zp']}, "
           f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")

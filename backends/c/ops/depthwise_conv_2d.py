"""C emitter for depthwise_conv_2d: a call to tinycc_depthwise_conv_2d_{s8,s16,f32}."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, folded_bias, requant_arrays


def emit(node, m, p):
    g = m.g
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    a = node.attrs
    dtype = p["dtype"]
    m.use_kernel("dot_s8.h")
    m.use_kernel("depthwise_conv_2d.h")
    n, h, wd, ci = x_t.shape
    _, kh, kw, co = w_t.shape
    shape = m.struct("tinycc_dw_shape", f"{node.name}_shape",
                     [n, h, wd, ci, y_t.shape[1], y_t.shape[2], co, kh, kw, *a["strides"], *a["dilations"],
                      a["pads"][0], a["pads"][1], a["depth_multiplier"]])
    x, w, y = m.ptr(node.inputs[0], const=True), m.ptr(node.inputs[1], const=True), m.ptr(node.outputs[0])
    bias = bias_ptr(node, m, dtype)
    if dtype == "float32":
        lo, hi = float_range(a["activation"])
        m.emit(f"tinycc_depthwise_conv_2d_f32(&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    if dtype == "int8" and a["depth_multiplier"] == 1 and tuple(a["dilations"]) == (1, 1):
        # channels channel-last: (kh * kw, co) -> (co, kh * kw) for the per-channel weight sums
        folded = folded_bias(node, m, p, None if w_t.data is None else w_t.data.reshape(-1, co).T, p["input_zp"])
        if folded is not None:
            m.emit(f"tinycc_depthwise_conv_2d_s8_fast(&{shape}, {x}, {w}, {folded[0]}, {folded[1]}, {y}, "
                   f"{p['input_zp']}, {p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")
            return
    zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_depthwise_conv_2d_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zp}{p['output_zp']}, "
           f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")

"""C emitter for transpose_conv: a call to tinycc_transpose_conv_{s8,s16,f32} (transpose_conv.h),
which gathers each output pixel's taps, so it needs no accumulator scratch buffer."""
from __future__ import annotations

from tinycc.backends.c import requant
from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range


def emit(node, m, p):
    g = m.g
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    n, h, wd, ci = x_t.shape
    co, kh, kw, _ = w_t.shape
    m.use_kernel("transpose_conv.h")
    shape = m.struct("tinycc_tconv_shape", f"{node.name}_shape",
                     [n, h, wd, ci, y_t.shape[1], y_t.shape[2], co, kh, kw, *node.attrs["strides"], *p["pads"]])
    dtype = p["dtype"]
    x, w, y = m.ptr(node.inputs[0], const=True), m.ptr(node.inputs[1], const=True), m.ptr(node.outputs[0])
    bias = bias_ptr(node, m, dtype)
    if dtype == "float32":
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_transpose_conv_f32(&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant.mult_shift_arrays(node, m, p)
    zps = f"{p['input_zp']}, {p['output_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_transpose_conv_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zps}{mult}, {shift}, "
           f"{p['act_min']}, {p['act_max']});")

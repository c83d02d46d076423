"""C emitter for transpose_conv: a call to tinycc_transpose_conv_{s8,s16,f32} (transpose_conv.h),
which gathers each output pixel's taps, so it needs no accumulator scratch buffer; int8 layers
whose sums cannot leave int32 take tinycc_transpose_conv_s8_fast (transpose_conv_fast.h: dot
products per tap, the input zero point folded per tap at compile time)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range
from tinycc.backends.c.requant import mult_shift_arrays, sums_fit_int32


def fast_constants(node, m, p) -> tuple[str, str] | None:
    """(bias, zpf) for tinycc_transpose_conv_s8_fast: the bias (zeros when absent) and in_zp * the
    filter sum of every (output channel, tap); None when a partial sum could leave int32 or a
    multiplier is negative (the reference kernel, which wraps as TFLM's sums do, is kept)."""
    g = m.g
    w = g.tensors[node.inputs[1]].data
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if w is None or (name is not None and g.tensors[name].data is None):
        return None
    if np.min(np.asarray(p["multiplier"], dtype=np.int64), initial=0) < 0:
        return None
    co = w.shape[0]
    bias = np.zeros(co, np.int64) if name is None else g.tensors[name].data.astype(np.int64).reshape(-1)
    if bias.size != co or not sums_fit_int32(bias, bias, w):
        return None
    zpf = int(p["input_zp"]) * w.reshape(co, w.shape[1] * w.shape[2], -1).astype(np.int64).sum(axis=2)
    plain = m.ptr(name, const=True) if name is not None and g.tensors[name].dtype == "int32" else \
        m.const_array(bias.astype(np.int32), "bias", comment=f"{node.name} bias")
    return plain, m.const_array(zpf.astype(np.int32), "zpf", comment=f"{node.name} input zero point * tap sums")


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
    mult, shift = mult_shift_arrays(node, m, p, shift_dtype=np.int8)
    fast = fast_constants(node, m, p) if dtype == "int8" else None
    if fast is not None:
        m.use_kernel("dot_s8.h")
        m.use_kernel("transpose_conv_fast.h")
        m.emit(f"tinycc_transpose_conv_s8_fast(&{shape}, {x}, {w}, {fast[0]}, {fast[1]}, {y}, {p['output_zp']}, "
               f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")
        return
    zps = f"{p['input_zp']}, {p['output_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_transpose_conv_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zps}{mult}, {shift}, "
           f"{p['act_min']}, {p['act_max']});")

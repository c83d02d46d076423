"""C emitter for conv_2d: a call to tinycc_conv_2d_{s8,s16,f32} with its shape and constants."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
import numpy as np

from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, folded_bias, folded_kbias, requant_arrays

COLS_BYTES = 2304      # TINYCC_CONV_COLS_BYTES (conv_2d.h): two int16 columns of k4 taps
PATCH_BYTES = 256      # TINYCC_CONV_PATCH_BYTES (conv_2d.h)


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


def packed_filter(w: np.ndarray) -> np.ndarray:
    """The im2col kernels' filter layout (conv_2d.h): each output channel's kh*kw*ci taps zero-padded
    to k4 (a multiple of 4), channels in pairs with the pair's 4-tap groups interleaved, an odd last
    channel on its own."""
    co = w.shape[0]
    k = w[0].size
    k4 = -(-k // 4) * 4
    flat = np.zeros((co, k4), np.int8)
    flat[:, :k] = w.reshape(co, k)
    co2 = co - co % 2
    pairs = flat[:co2].reshape(co2 // 2, 2, k4 // 4, 4).transpose(0, 2, 1, 3).reshape(-1)
    return np.concatenate([pairs, flat[co2:].reshape(-1)])


def cols_constants(node, m, p):
    """(packed filter, folded bias) for the im2col kernel (tinycc_conv_2d_s8_cols), or None when it
    does not apply (then the other kernels)."""
    if p["dtype"] != "int8" or tuple(node.attrs["dilations"]) != (1, 1):
        return None
    w = m.g.tensors[node.inputs[1]].data
    if w is None:
        return None
    _, kh, kw, ci = w.shape
    k4 = -(-(kh * kw * ci) // 4) * 4
    if 4 * k4 > COLS_BYTES or (kw * ci if kw * ci % 4 == 0 else k4) > PATCH_BYTES:
        return None
    kbias = folded_kbias(node, m, p, w, p["input_zp"])
    if kbias is None:
        return None
    packed = m.const_array(packed_filter(np.asarray(w, np.int8)), "wpk",
                           comment=f"{node.inputs[1]} packed for the im2col kernel")
    return packed, kbias


def emit(node, m, p):
    dtype = p["dtype"]
    use_kernels(m)
    shape = shape_struct(node, m)
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if dtype == "float32":
        w, bias = m.ptr(node.inputs[1], const=True), bias_ptr(node, m, dtype)
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_conv_2d_f32(&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    cols = cols_constants(node, m, p)
    if cols is not None:
        # im2col: each pixel's patch widened to int16 once, every channel against it (conv_2d.h)
        m.emit(f"tinycc_conv_2d_s8_cols(&{shape}, {x}, {cols[0]}, {cols[1]}, {y}, {p['input_zp']}, "
               f"{p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")
        return
    w = m.ptr(node.inputs[1], const=True)
    folded = fast_constants(node, m, p)
    if folded is not None:
        # dot products over contiguous rows, the input offset folded into the bias (dot_s8.h)
        m.emit(f"tinycc_conv_2d_s8_fast(&{shape}, {x}, {w}, {folded[0]}, {folded[1]}, {y}, {p['input_zp']}, "
               f"{p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")
        return
    bias = bias_ptr(node, m, dtype)
    zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_conv_2d_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zp}{p['output_zp']}, "
           f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")

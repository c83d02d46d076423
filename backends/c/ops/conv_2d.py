"""C emitter for conv_2d: a call to tinycc_conv_2d_{s8,s16,f32} with its shape and constants."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, folded_bias, requant_arrays
from tinycc.core.fixedpoint import multiply_by_quantized_multiplier

COLS_BYTES = 2304      # TINYCC_CONV_COLS_BYTES (conv_2d.h): two int16 columns of k4 taps
PATCH_BYTES = 256      # TINYCC_CONV_PATCH_BYTES (conv_2d.h)


def shape_values(node, m):
    g = m.g
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    a = node.attrs
    n, h, wd, ci = x.shape
    co, kh, kw, _ = w.shape
    return [n, h, wd, ci, y.shape[1], y.shape[2], co, kh, kw, *a["strides"], *a["dilations"], a["pads"][0],
            a["pads"][1]]


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


def packed_words(w: np.ndarray) -> np.ndarray:
    """packed_filter as int32 words (4-byte aligned for LDRD): tap j of a group in byte j from the
    least significant, whatever the compiler's byte order."""
    b = packed_filter(w).astype(np.uint8).astype(np.uint32).reshape(-1, 4)
    return (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)).astype(np.uint32).view(np.int32)


def cols_constants(node, m, p):
    """(words, "NULL", "NULL") for the im2col kernel (tinycc_conv_2d_s8_cols), or None when it does not
    apply (then the other kernels). `words` (cols_words) holds the packed filter with each channel pair's
    folded bias and requantisation words; the NULLs stand for the separate folded bias and requantisation
    arrays of the kernels' older interface, which the in-place call (_inplace.py) passes on."""
    if p["dtype"] != "int8" or tuple(node.attrs["dilations"]) != (1, 1):
        return None
    w = m.g.tensors[node.inputs[1]].data
    if w is None:
        return None
    _, kh, kw, ci = w.shape
    k4 = -(-(kh * kw * ci) // 4) * 4
    if 4 * k4 > COLS_BYTES or (kw * ci if kw * ci % 4 == 0 else k4) > PATCH_BYTES:
        return None
    found = cols_table(node, m, p, np.asarray(w, np.int8))
    if found is None:
        return None
    words = m.const_array(cols_words(*found), "wpk",
                          comment=f"{node.inputs[1]} packed for the im2col kernel, per channel pair: bias - "
                                  f"input zp * sum(w) x2, the taps, 2M-2^32 x2, 2^(e-1) + zp * 2^e x2, e x2")
    return words, "NULL", "NULL"


def cols_words(table: np.ndarray, w: np.ndarray) -> np.ndarray:
    """tinycc_cols_block's words: per channel pair kb0, kb1, the pair's packed filter words (2g), M2_0,
    M2_1, h0, h1, e0, e1; an odd last channel kb, its g words, M2, h, e (table: cols_table's co x 4
    columns kb, M2, h, e). The last pair's e0 has bit 8 set (e is 1..31; the kernels shift by e & 31)."""
    co = w.shape[0]
    g = -(-w[0].size // 4)
    packed = packed_words(w)
    table = np.asarray(table, np.int32).reshape(co, 4)
    parts = []
    for i in range(co // 2):
        t = table[2 * i:2 * i + 2]
        rq = t[:, 1:].T.reshape(-1).copy()
        if i == co // 2 - 1:
            rq[4] |= 256       # the last pair's e0 marked in bit 8: where the assembly loop stops (conv_2d.h)
        parts += [t[:, 0], packed[2 * i * g:(2 * i + 2) * g], rq]
    if co % 2:
        parts += [table[-1, :1], packed[(co - 1) * g:], table[-1, 1:]]
    return np.concatenate(parts).astype(np.int32)


def cols_table(node, m, p, w: np.ndarray):
    """(co x 4 words kb, M2, h, e for cols_words, the filter to pack), or None when a multiplier is not 0
    or in [2^30, 2^31), a shift is not a right shift by 1..31, or an int32 sum could overflow (conv_2d.h).
    Per channel: kb = bias - in_zp * sum(w), M2 = 2M - 2^32, h = 2^(e-1) + out_zp * 2^e, e = -shift.
    A channel whose output does not depend on its input (a filter of zeros, or a zero multiplier: its
    filter is packed as zeros then) gets TFLM's constant c: kb = 0 (so acc = 0 and SRDHM gives 0), e = 1,
    h = 2 (c + out_zp)."""
    co = w.shape[0]
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if name is not None and m.g.tensors[name].data is None:
        return None
    mult = np.asarray(p["multiplier"], np.int64).reshape(-1)
    shift = np.asarray(p["shift"], np.int64).reshape(-1)
    if mult.size == 1:
        mult, shift = np.repeat(mult, co), np.repeat(shift, co)
    bias = np.zeros(co, np.int64) if name is None else m.g.tensors[name].data.astype(np.int64).reshape(-1)
    if mult.size != co or shift.size != co or bias.size != co:
        return None
    w = np.array(w, np.int8)
    w[mult == 0] = 0                   # MultiplyByQuantizedMultiplier(acc, 0, shift) = 0 whatever acc
    wf = np.asarray(w, np.int64).reshape(co, -1)
    kbias = bias - int(p["input_zp"]) * wf.sum(axis=1)
    const = ~wf.any(axis=1)            # the accumulator is the folded bias whatever the input
    if (np.abs(kbias[const]) >= (1 << 31)).any():
        return None
    zp = int(p["output_zp"])
    q0 = np.zeros(co, np.int64)
    if const.any():
        q0[const] = multiply_by_quantized_multiplier(kbias[const].astype(np.int32), mult[const].astype(np.int32),
                                                     shift[const].astype(np.int32)).astype(np.int64)
    mult = np.where(const, 1 << 30, mult)
    e = np.where(const, 1, -shift)
    kbias = np.where(const, 0, kbias)
    if (mult < (1 << 30)).any() or (mult >= (1 << 31)).any() or (e < 1).any() or (e > 31).any():
        return None
    h = np.where(const, 2 * (q0 + zp), (1 << (e - 1)) + zp * (1 << e)).astype(np.int64)
    bound = np.abs(kbias) + 128 * np.abs(wf).sum(axis=1)          # |acc|, every partial sum too
    xbound = (bound * mult) // (1 << 31) + 2                        # |SRDHM(acc, M)|
    if (bound >= (1 << 31)).any() or (xbound + np.abs(h) + 1 >= (1 << 31)).any():
        return None
    table = np.stack([kbias, 2 * mult - (1 << 32), h, e], axis=1).astype(np.int32)
    return table, w


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
    cols = cols_constants(node, m, p)
    if cols is not None:
        # im2col: each pixel's patch widened to int16 once, every channel against it (conv_2d.h)
        m.emit(f"tinycc_conv_2d_s8_cols(&{shape}, {x}, {cols[0]}, {y}, {p['input_zp']}, {p['act_min']}, "
               f"{p['act_max']});")
        return
    mult, shift = requant_arrays(node, m, p)
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

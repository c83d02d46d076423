"""C emitter for depthwise_conv_2d: a call to tinycc_depthwise_conv_2d_{s8,s16,f32}."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, requant_arrays, sums_fit_int32
from tinycc.core import ops


def use_kernels(m):
    for header in ("dot_s8.h", "inplace.h", "depthwise_conv_2d.h"):
        m.use_kernel(header)


def shape_struct(node, m) -> str:
    g, a = m.g, node.attrs
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    n, h, wd, ci = x_t.shape
    _, kh, kw, co = w_t.shape
    fast = _fast_plan(node, m.g, ops.get(node.op).prepare(node, m.g))
    return m.struct("tinycc_dw_shape", f"{node.name}_shape",
                    [n, h, wd, ci, y_t.shape[1], y_t.shape[2], co, kh, kw, *a["strides"], *a["dilations"],
                     a["pads"][0], a["pads"][1], a["depth_multiplier"], int(_packed_filter(node, m.g, fast)),
                     0 if fast is None else fast[3]])


def _packed_filter(node, g, plan) -> bool:
    """The fast kernel reads a packed 3x3 filter (shape field pf): with the one-multiply requantisation."""
    w_t = g.tensors[node.inputs[1]]
    return plan is not None and plan[3] != 0 and tuple(w_t.shape[1:3]) == (3, 3)


WROW_COLS = 64     # kernels/depthwise_conv_2d.h, TINYCC_DW_WROW_COLS
WROW_MIN_OW = 8    # VWW: 6-wide rows 2% slower through tinycc_dw_s8_wrow, 12 to 48 wide 7-23% faster


def _entry(node, g, p) -> str:
    """The fast kernel's entry: `wrow` (rows groups outer, input and filter widened once a group and
    row: tinycc_dw_s8_wrow) for packed-filter shapes with rq 1, co a multiple of 4, at least
    WROW_MIN_OW output columns and (ow - 1) * sw + 3 <= WROW_COLS window columns; else `fast`."""
    plan = _fast_plan(node, g, p)
    if not _packed_filter(node, g, plan) or plan[3] != 1:
        return "fast"
    co, ow, sw = g.tensors[node.inputs[1]].shape[3], g.tensors[node.outputs[0]].shape[2], node.attrs["strides"][1]
    ok = co % 4 == 0 and ow >= WROW_MIN_OW and (ow - 1) * sw + 3 <= WROW_COLS
    return "wrow" if ok else "fast"


def filter_ptr(node, m, p) -> str:
    """The filter argument: the packed filter (kernels/depthwise_conv_2d.h, tinycc_dw_s8_pf: per group of
    four channels its 9 taps' 4-byte words, channels past co zero) when pf, else the tensor."""
    if not _packed_filter(node, m.g, _fast_plan(node, m.g, p)):
        return m.ptr(node.inputs[1], const=True)
    w = np.asarray(m.g.tensors[node.inputs[1]].data, np.int8).reshape(9, -1)
    co = w.shape[1]
    groups = -(-co // 4)
    padded = np.zeros((9, groups * 4), np.int8)
    padded[:, :co] = w
    packed = padded.reshape(9, groups, 4).transpose(1, 0, 2).reshape(-1)
    return m.const_array(packed, "wdw", comment=f"{node.inputs[1]} packed by 4 channels (9 taps each)")


def _fast_plan(node, g, p):
    """(bias, folded bias, rqw or None) as int64 arrays for the fast int8 kernel, or None when it does
    not apply (depth multiplier or dilation, folded bias out of int32, a negative multiplier).
    `folded = bias - in_zp * sum(w)` per channel; `rqw` (kernels/depthwise_conv_2d.h, tinycc_dw_rq) is
    hi0 * 256 + r - 1 with hi0 = 2^(r-2) * (2 * out_zp + 1) per channel when every shift is -r with
    2 <= r <= 17 and hi0 fits 24 bits (mode 1), else with hi0 = 2^(r-2) when 2 <= r <= 24 (mode 2: the
    kernel adds out_zp after the shift), else None (the kernel requantises with tinycc_requant_s8).
    Returns (bias, folded, rqw, mode)."""
    a, w_t = node.attrs, g.tensors[node.inputs[1]]
    if p["dtype"] != "int8" or a["depth_multiplier"] != 1 or tuple(a["dilations"]) != (1, 1) or w_t.data is None:
        return None
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if name is not None and g.tensors[name].data is None:
        return None
    co = w_t.shape[3]
    mult = np.broadcast_to(np.asarray(p["multiplier"], dtype=np.int64).reshape(-1), (co,))
    shift = np.broadcast_to(np.asarray(p["shift"], dtype=np.int64).reshape(-1), (co,))
    if mult.min(initial=0) < 0:
        return None           # tinycc_requant_s8 (dot_s8.h) takes non-negative multipliers only
    bias = np.zeros(co, np.int64) if name is None else g.tensors[name].data.astype(np.int64).reshape(-1)
    if bias.size != co:
        return None
    # channels channel-last: (kh * kw, co) -> per-channel weight sums
    folded = bias - int(p["input_zp"]) * w_t.data.reshape(-1, co).astype(np.int64).sum(axis=0)
    if not sums_fit_int32(bias, folded, np.moveaxis(w_t.data.reshape(-1, co), 1, 0)):
        return None
    r = -shift
    rqw, mode = None, 0
    if r.min(initial=2) >= 2 and r.max(initial=2) <= 17:
        hi0 = (2 * int(p["output_zp"]) + 1) * (np.int64(1) << (r - 2))
        if np.abs(hi0).max(initial=0) < (1 << 23):
            rqw, mode = hi0 * 256 + (r - 1), 1
    if rqw is None and r.min(initial=2) >= 2 and r.max(initial=2) <= 24:
        rqw, mode = (np.int64(1) << (r - 2)) * 256 + (r - 1), 2     # out_zp added after the shift
    return bias, folded, rqw, mode


def fast_constants(node, m, p):
    """(plain bias, folded bias, multipliers, shifts) C expressions for the fast int8 kernel, or None
    when it does not apply. With the one-multiply requantisation (shape field rq) the folded-bias
    array packs each group of four channels' folded biases, multipliers and requantisation words
    (12 words a group, the last group zero-padded: kernels/depthwise_conv_2d.h, tinycc_dw_kp); the
    multiplier and shift arguments are then that array too (no separate arrays)."""
    plan = _fast_plan(node, m.g, p)
    if plan is None:
        return None
    bias, folded, rqw, _ = plan
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if _packed_filter(node, m.g, plan):
        plain = "NULL"    # only the border routine reads the plain bias; pf takes every border pixel by patch
    elif name is not None and m.g.tensors[name].dtype == "int32":
        plain = m.ptr(name, const=True)
    else:
        plain = m.const_array(bias.astype(np.int32), "bias", comment=f"{node.name} bias")
    if rqw is None:
        mult, shift = requant_arrays(node, m, p)
        return plain, m.const_array(folded.astype(np.int32), "kbias",
                                    comment=f"{node.name} bias - input zero point * sum(w)"), mult, shift
    co = folded.size
    groups = -(-co // 4)
    mult = np.broadcast_to(np.asarray(p["multiplier"], dtype=np.int64).reshape(-1), (co,))
    packed = np.zeros((groups, 12), np.int64)     # per group: 4 folded biases, then (mult, rqw) x 4
    for k, v in enumerate((folded, mult, rqw)):
        padded = np.zeros(groups * 4, np.int64)
        padded[:co] = v
        if k == 0:
            packed[:, 0:4] = padded.reshape(groups, 4)
        else:
            packed[:, 3 + k:12:2] = padded.reshape(groups, 4)
    kbias = m.const_array(packed.reshape(-1).astype(np.int32), "kbias",
                          comment=f"{node.name} per 4 channels: bias - input zero point * sum(w), multipliers, "
                                  f"requantisation words")
    return plain, kbias, kbias, kbias


def emit_inplace(node, m, p, shape: str, ring_shape: str, buf: str, ring: str) -> None:
    """The in-place call (backends/c/ops/_inplace.py): fast rows when the fast kernel applies."""
    fast = fast_constants(node, m, p)
    w = filter_ptr(node, m, p) if fast is not None else m.ptr(node.inputs[1], const=True)
    if fast is not None:
        m.emit(f"tinycc_depthwise_conv_2d_s8_{_entry(node, m.g, p)}_inplace(&{shape}, &{ring_shape}, {buf}, {w}, "
               f"{fast[0]}, {fast[1]}, {ring}, {p['input_zp']}, {p['output_zp']}, {fast[2]}, {fast[3]}, "
               f"{p['act_min']}, {p['act_max']});")
        return
    mult, shift = requant_arrays(node, m, p)
    m.emit(f"tinycc_depthwise_conv_2d_s8_inplace(&{shape}, &{ring_shape}, {buf}, {w}, {bias_ptr(node, m, 'int8')}, "
           f"{ring}, {p['input_zp']}, {p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")


def emit(node, m, p):
    a = node.attrs
    dtype = p["dtype"]
    use_kernels(m)
    shape = shape_struct(node, m)
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if dtype == "int8":
        fast = fast_constants(node, m, p)
        if fast is not None:
            m.emit(f"tinycc_depthwise_conv_2d_s8_{_entry(node, m.g, p)}(&{shape}, {x}, {filter_ptr(node, m, p)}, "
                   f"{fast[0]}, {fast[1]}, {y}, {p['input_zp']}, {p['output_zp']}, {fast[2]}, {fast[3]}, "
                   f"{p['act_min']}, {p['act_max']});")
            return
    w, bias = m.ptr(node.inputs[1], const=True), bias_ptr(node, m, dtype)
    if dtype == "float32":
        lo, hi = float_range(a["activation"])
        m.emit(f"tinycc_depthwise_conv_2d_f32(&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_depthwise_conv_2d_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zp}{p['output_zp']}, "
           f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")

"""C emitter for depthwise_conv_2d: a call to tinycc_depthwise_conv_2d_{s8,s16,f32}."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, requant_arrays
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
                     a["pads"][0], a["pads"][1], a["depth_multiplier"], int(fast is not None and fast[2] is not None)])


def _fast_plan(node, g, p):
    """(bias, folded bias, rqw or None) as int64 arrays for the fast int8 kernel, or None when it does
    not apply (depth multiplier or dilation, folded bias out of int32, a negative multiplier).
    `folded = bias - in_zp * sum(w)` per channel; `rqw` (kernels/depthwise_conv_2d.h, tinycc_dw_rq) is
    hi0 * 256 + r - 1 with hi0 = 2^(r-2) * (2 * out_zp + 1) per channel when every shift is -r with
    2 <= r <= 17 and hi0 fits 24 bits (else the kernel requantises with tinycc_requant_s8)."""
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
    if folded.min(initial=0) < -(1 << 31) or folded.max(initial=0) >= (1 << 31):
        return None
    r = -shift
    rqw = None
    if r.min(initial=2) >= 2 and r.max(initial=2) <= 17:
        hi0 = (2 * int(p["output_zp"]) + 1) * (np.int64(1) << (r - 2))
        if np.abs(hi0).max(initial=0) < (1 << 23):
            rqw = hi0 * 256 + (r - 1)
    return bias, folded, rqw


def fast_constants(node, m, p):
    """(plain bias, folded bias, multipliers, shifts) C expressions for the fast int8 kernel, or None
    when it does not apply. With the one-multiply requantisation (shape field rq) the folded-bias
    array carries the requantisation words rqw after its co values and the shifts argument points at
    them (no shift array)."""
    plan = _fast_plan(node, m.g, p)
    if plan is None:
        return None
    bias, folded, rqw = plan
    name = node.inputs[2] if len(node.inputs) > 2 else None
    plain = m.ptr(name, const=True) if name is not None and m.g.tensors[name].dtype == "int32" else \
        m.const_array(bias.astype(np.int32), "bias", comment=f"{node.name} bias")
    if rqw is None:
        mult, shift = requant_arrays(node, m, p)
        return plain, m.const_array(folded.astype(np.int32), "kbias",
                                    comment=f"{node.name} bias - input zero point * sum(w)"), mult, shift
    kbias = m.const_array(np.concatenate([folded, rqw]).astype(np.int32), "kbias",
                          comment=f"{node.name} bias - input zero point * sum(w), then requantisation words")
    mult = m.const_array(np.asarray(p["multiplier"], dtype=np.int32), "mult", comment=f"{node.name} multipliers")
    return plain, kbias, mult, f"({kbias} + {folded.size})"


def emit_inplace(node, m, p, shape: str, ring_shape: str, buf: str, ring: str) -> None:
    """The in-place call (backends/c/ops/_inplace.py): fast rows when the fast kernel applies."""
    w = m.ptr(node.inputs[1], const=True)
    fast = fast_constants(node, m, p)
    if fast is not None:
        m.emit(f"tinycc_depthwise_conv_2d_s8_fast_inplace(&{shape}, &{ring_shape}, {buf}, {w}, {fast[0]}, {fast[1]}, "
               f"{ring}, {p['input_zp']}, {p['output_zp']}, {fast[2]}, {fast[3]}, {p['act_min']}, {p['act_max']});")
        return
    mult, shift = requant_arrays(node, m, p)
    m.emit(f"tinycc_depthwise_conv_2d_s8_inplace(&{shape}, &{ring_shape}, {buf}, {w}, {bias_ptr(node, m, 'int8')}, "
           f"{ring}, {p['input_zp']}, {p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")


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
    fast = fast_constants(node, m, p)
    if fast is not None:
        m.emit(f"tinycc_depthwise_conv_2d_s8_fast(&{shape}, {x}, {w}, {fast[0]}, {fast[1]}, {y}, "
               f"{p['input_zp']}, {p['output_zp']}, {fast[2]}, {fast[3]}, {p['act_min']}, {p['act_max']});")
        return
    mult, shift = requant_arrays(node, m, p)
    zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_depthwise_conv_2d_{SUFFIX[dtype]}(&{shape}, {x}, {w}, {bias}, {y}, {zp}{p['output_zp']}, "
           f"{mult}, {shift}, {p['act_min']}, {p['act_max']});")

"""C emitter for fully_connected: a call to tinycc_fully_connected_{s8,s16,f32}, or for int8 with
constant weights (zero point 0) tinycc_fully_connected_s8_w4 on weights re-laid at compile time."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import requant
from tinycc.backends.c.ops import _lut, _s4, _s4_fast
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range
from tinycc.backends.c.ops._variants import Variant, call, choose, common


def interleave4(w: np.ndarray) -> np.ndarray:
    """fully_connected.h's layout for tinycc_fully_connected_s8_w4: blocks of 4 units (a last block of
    1-2 units 2 wide, of 3 units 4 wide, padded with zero rows), depth padded to a multiple of 4 with
    zeros; word (b, c, j) packs w[4b + j][4c .. 4c + 3], byte k in bits 8k .. 8k + 7 (as int32 values,
    so the layout does not depend on the target's byte order)."""
    units, depth = w.shape
    chunks = -(-depth // 4)
    parts = []
    for u in range(0, units, 4):
        width = 2 if units - u <= 2 else 4
        padded = np.zeros((width, chunks * 4), np.int64)
        rows = w[u:u + width]
        padded[:rows.shape[0], :depth] = rows
        b = (padded & 0xFF).reshape(width, chunks, 4)             # unit j, chunk, byte k
        words = b[..., 0] | (b[..., 1] << 8) | (b[..., 2] << 16) | (b[..., 3] << 24)
        parts.append(words.T.reshape(-1))                          # chunk-major, units interleaved
    words = np.concatenate(parts)
    return np.where(words >= 1 << 31, words - (1 << 32), words).astype(np.int32)


def folded_kbias(node, m, p, w: np.ndarray) -> np.ndarray | None:
    """bias - in_zp * sum(w) per unit, padded with zeros to whole blocks of units; None when a value
    leaves int32, a multiplier is negative (tinycc_requant_s8 takes non-negative ones) or the bias
    is not constant (requant.fold)."""
    found = requant.fold(node, m.g, p, w)
    return None if found is None else requant.fc_kbias(found[1])


# A layer of fewer multiply-accumulates and more than 2 units takes the reference kernel, unless another
# layer of the model takes the fast kernel (_pays): the fast one's
# code for blocks of 4 units (about 1.1 KB on a Cortex-M4) does not pay there (KWS's 12 x 64 head: 945 bytes
# less for 6 K more est. cycles in the layer; the image classifier's 10 x 64: 927 bytes); 1-2 units take
# only its narrow block (VWW's 2 x 256: 164 bytes, smaller than the reference loop). Tests of the fast
# kernel set it to 0.
W4_MIN_MACS = 4096


def _pays(node, g) -> bool:
    """The fast kernel pays for its code on this layer: 1-2 units, or at least W4_MIN_MACS multiply-accumulates
    (int8 constant weights); when one layer of the model takes it, its code is there for every layer."""
    w_t, x_t = g.tensors[node.inputs[1]], g.tensors[node.inputs[0]]
    if w_t.data is None or w_t.dtype != "int8" or x_t.dtype != "int8" or len(w_t.shape) != 2:
        return False
    return w_t.shape[0] <= 2 or x_t.size * w_t.shape[0] >= W4_MIN_MACS       # rows * depth * units


def _w4(node, m, p, inplace):
    """Four units per pass over the input on interleaved weights, the input offset in the bias."""
    w_t = m.g.tensors[node.inputs[1]]
    if not (p["dtype"] == "int8" and p["weights_zp"] == 0 and w_t.data is not None and w_t.dtype == "int8"):
        return None
    units, depth = w_t.shape
    if not _pays(node, m.g) and not any(_pays(n, m.g) for n in m.g.nodes if n.op == "fully_connected"):
        return None
    kbias = folded_kbias(node, m, p, w_t.data.reshape(units, depth))
    if kbias is None:
        return None
    w4 = m.const_array(interleave4(w_t.data.reshape(units, depth)), "w4",
                       comment=f"{node.inputs[1]} int8 {[units, depth]}, 4 units interleaved")
    kb = m.const_array(kbias, "kbias", comment=f"{node.name} bias - input zero point * sum(w)")
    rq, mode = requant.fc_rq_words(p)
    rq_sym = m.const_array(rq, "rq", comment=f"{node.name} requantisation, fully_connected.h mode {mode}")
    return {"w4": w4, "kbias": kb, "rq": rq_sym, "step": 3 if np.asarray(p["multiplier"]).size > 1 else 0, "mode": mode}


def _f32(node, m, p, inplace):
    if p["dtype"] != "float32":
        return None
    w, bias = m.ptr(node.inputs[1], const=True), bias_ptr(node, m, "float32")
    lo, hi = float_range(node.attrs["activation"])
    return {"w": w, "bias": bias, "lo": lo, "hi": hi}


def _reference(dtype):
    def constants(node, m, p, inplace):
        if p["dtype"] != dtype:
            return None
        w, bias = m.ptr(node.inputs[1], const=True), bias_ptr(node, m, dtype)
        mult, shift = requant.mult_shift_arrays(node, m, p, shift_dtype=np.int8)
        return {"w": w, "bias": bias, "mult": mult, "shift": shift, "w_zp": p["weights_zp"],
                "per_channel": int(len(p["multiplier"]) > 1)}
    return constants


# in order of preference: the first that applies is emitted
VARIANTS = (
    _s4_fast.FULLY_CONNECTED,  # int4 weights re-laid for SMLAD, four units a pass
    _s4.FULLY_CONNECTED,       # int4 weights (core/int4.py): packed, unpacked in the MAC loop
    _lut.FULLY_CONNECTED_FAST,  # LUT weights, a unit decoded at a time into a stack buffer, int8 dot products
    _lut.FULLY_CONNECTED,      # LUT weights (core/lut.py): indices + tables in flash, decoded in the MAC loop
    Variant("w4", "tinycc_fully_connected_s8_w4",
            "{dims}, {x}, {w4}, {kbias}, {y}, {out_zp}, {rq}, {step}, {mode}, {act_min}, {act_max}",
            "optimised/fully_connected_w4.h", _w4, fast=True),
    Variant("f32", "tinycc_fully_connected_f32", "{dims}, {x}, {w}, {bias}, {y}, {lo}, {hi}",
            "reference/fully_connected.h", _f32),
    Variant("s8", "tinycc_fully_connected_s8",
            "{dims}, {x}, {w}, {bias}, {y}, {in_zp}, {w_zp}, {out_zp}, {mult}, {shift}, {per_channel}, {act_min}, "
            "{act_max}", "reference/fully_connected_a8.h", _reference("int8")),
    Variant("s16", "tinycc_fully_connected_s16",
            "{dims}, {x}, {w}, {bias}, {y}, {w_zp}, {out_zp}, {mult}, {shift}, {per_channel}, {act_min}, {act_max}",
            "reference/fully_connected.h", _reference("int16")),
)


def emit(node, m, p):
    g = m.g
    units, depth = g.tensors[node.inputs[1]].shape
    rows = g.tensors[node.inputs[0]].size // depth
    m.use_kernel("dot_s8.h")
    m.use_kernel("fully_connected.h")
    values = common(node, p, "")
    values.update(dims=f"{rows}, {units}, {depth}", x=m.ptr(node.inputs[0], const=True), y=m.ptr(node.outputs[0]))
    v, constants = choose(VARIANTS, node, m, p)
    m.emit(call(v, {**values, **constants}))

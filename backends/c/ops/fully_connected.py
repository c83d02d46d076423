"""C emitter for fully_connected: a call to tinycc_fully_connected_{s8,s16,f32}, or for int8 with
constant weights (zero point 0) tinycc_fully_connected_s8_w4 on weights re-laid at compile time."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, requant_arrays, sums_fit_int32


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
    """bias - in_zp * sum(w) per unit, padded with zeros to a multiple of 4 units; None when a value
    leaves int32, a multiplier is negative (tinycc_requant_s8 takes non-negative ones) or the bias
    is not constant."""
    name = node.inputs[2] if len(node.inputs) > 2 else None
    units = w.shape[0]
    if name is not None and m.g.tensors[name].data is None:
        return None
    if np.min(np.asarray(p["multiplier"], dtype=np.int64), initial=0) < 0:
        return None
    bias = np.zeros(units, np.int64) if name is None else m.g.tensors[name].data.astype(np.int64).reshape(-1)
    if bias.size != units:
        return None
    kbias = bias - int(p["input_zp"]) * w.astype(np.int64).sum(axis=1)
    if not sums_fit_int32(bias, kbias, w):
        return None
    return np.concatenate([kbias, np.zeros(-units % 4, np.int64)]).astype(np.int32)


def emit(node, m, p):
    g = m.g
    w_t = g.tensors[node.inputs[1]]
    units, depth = w_t.shape
    rows = g.tensors[node.inputs[0]].size // depth
    dtype = p["dtype"]
    m.use_kernel("dot_s8.h")
    m.use_kernel("fully_connected.h")
    dims = f"{rows}, {units}, {depth}"
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if dtype == "int8" and p["weights_zp"] == 0 and w_t.data is not None and w_t.dtype == "int8":
        kbias = folded_kbias(node, m, p, w_t.data.reshape(units, depth))
        if kbias is not None:
            # four units per pass over the input on interleaved weights, the input offset in the bias
            w4 = m.const_array(interleave4(w_t.data.reshape(units, depth)), "w4",
                               comment=f"{node.inputs[1]} int8 {[units, depth]}, 4 units interleaved")
            kb = m.const_array(kbias, "kbias", comment=f"{node.name} bias - input zero point * sum(w)")
            mult = np.asarray(p["multiplier"], dtype=np.int64).reshape(-1)
            shift = np.asarray(p["shift"], dtype=np.int64).reshape(-1)
            if shift.max() <= -2 and shift.min() >= -23:    # right shifts 2..23: one multiply-add, one shift
                r = -shift
                rq = np.stack([mult, (1 << (r - 2)) + int(p["output_zp"]) * (1 << (r - 1)), r - 1], axis=1)
                mode = 2 if (p["act_min"], p["act_max"]) == (-128, 127) and len(mult) == 1 else 1
            else:
                rq, mode = np.stack([mult, shift, np.zeros_like(shift)], axis=1), 0
            rq_sym = m.const_array(rq.astype(np.int32).reshape(-1), "rq",
                                   comment=f"{node.name} requantisation, fully_connected.h mode {mode}")
            step = 3 if len(mult) > 1 else 0
            m.emit(f"tinycc_fully_connected_s8_w4({dims}, {x}, {w4}, {kb}, {y}, {p['output_zp']}, {rq_sym}, {step}, "
                   f"{mode}, {p['act_min']}, {p['act_max']});")
            return
    w = m.ptr(node.inputs[1], const=True)
    bias = bias_ptr(node, m, dtype)
    if dtype == "float32":
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_fully_connected_f32({dims}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    per_channel = int(len(p["multiplier"]) > 1)
    in_zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_fully_connected_{SUFFIX[dtype]}({dims}, {x}, {w}, {bias}, {y}, {in_zp}{p['weights_zp']}, "
           f"{p['output_zp']}, {mult}, {shift}, {per_channel}, {p['act_min']}, {p['act_max']});")

"""The c backend's fast 4-bit-weight (4w8a) variants of fully_connected and conv_2d
(kernels/optimised/fully_connected_s4_fast.h, conv_2d_s4_cols.h): the int4 weights re-laid at compile time
in blocks of four units, eight values a word placed so that masks give exact 4096-scaled int16 pairs for
SMLAD on a Cortex-M DSP core (plain C elsewhere), the input offset folded into the bias."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import requant
from tinycc.backends.c.layout import CONV_COLS_BYTES
from tinycc.backends.c.ops._variants import Variant
from tinycc.core import int4

# bit of the nibble holding value t of a chunk of eight depths (TINYCC_S4_POS in the kernel): the words
# masked with 0xF000F000 after shifts left by 0, 4, 8, 12 hold values (0, 2), (1, 3), (4, 6), (5, 7) on top
# of their two halfwords
POS = (12, 8, 28, 24, 4, 0, 20, 16)
BLOCK = 4        # units a block


def s4_blocks(w: np.ndarray) -> np.ndarray:
    """The kernel's layout of int4 values w (units x depth, each in -8..7) as int32 words: blocks of four
    units, then the last units % 4 one after the other, chunks of eight depths (zeros pad the last); a
    block's words chunk-major with its units interleaved; each word holds a unit's values 8c + t of chunk c
    in the nibble at bit POS[t]."""
    units, depth = w.shape
    chunks = -(-depth // 8)
    padded = np.zeros((units, chunks * 8), np.int64)
    padded[:, :depth] = w
    nib = (padded & 15).reshape(units, chunks, 8)
    words = np.bitwise_or.reduce([nib[..., t] << POS[t] for t in range(8)])     # unit, chunk
    full = units - units % BLOCK
    blocks = words[:full].reshape(-1, BLOCK, chunks).transpose(0, 2, 1).reshape(-1)   # chunk-major, interleaved
    words = np.concatenate([blocks, words[full:].reshape(-1)])
    return np.where(words >= 1 << 31, words - (1 << 32), words).astype(np.int32)


def _constants(node, m, p, w: np.ndarray, kind: str) -> dict | None:
    """The re-laid weights, folded bias and requantisation words of a node with int4 weights `w`
    (output channels first), or None when the fast kernel does not apply (requant.fold: a bias that is
    not constant, a negative multiplier, a sum that could leave int32)."""
    co = w.shape[0]
    w2 = np.asarray(w, np.int64).reshape(co, -1)
    found = requant.fold(node, m.g, p, w2)
    if found is None:
        return None
    words = m.const_array(s4_blocks(w2), "w4s",
                          comment=f"{node.inputs[1]} int4 {list(w.shape)}, 4 units x 8 values a word ({kind})")
    kb = m.const_array(requant.fc_kbias(found[1]), "kbias", comment=f"{node.name} bias - input zero point * sum(w)")
    rq, mode = requant.fc_rq_words(p)
    rq_sym = m.const_array(rq, "rq", comment=f"{node.name} requantisation, fully_connected_w4.h mode {mode}")
    step = 3 if np.asarray(p["multiplier"]).size > 1 else 0
    for header in ("fully_connected.h", "fully_connected_s4_fast.h"):
        m.use_kernel(header)
    return {"w4s": words, "kbias": kb, "rq": rq_sym, "step": step, "mode": mode}


def _int4_weights(node, m, p) -> np.ndarray | None:
    w = m.g.tensors[node.inputs[1]]
    if p["dtype"] != "int8" or not int4.is_int4(w) or w.data is None or m.g.tensors[node.inputs[0]].dtype != "int8":
        return None
    return np.asarray(w.data)


def _fc(node, m, p, inplace):
    w = _int4_weights(node, m, p)
    if w is None or p["weights_zp"] != 0:
        return None
    return _constants(node, m, p, w, "fully_connected_s4_fast.h")


def _conv(node, m, p, inplace):
    w = _int4_weights(node, m, p)
    if w is None or -(-w[0].size // 8) * 8 > CONV_COLS_BYTES:       # the kernel's stack patch
        return None
    found = _constants(node, m, p, w, "conv_2d_s4_cols.h")
    if found is not None:
        m.use_kernel("conv_2d_s4_cols.h")
    return found


FULLY_CONNECTED = Variant("s4_fast", "tinycc_fully_connected_s4_fast",
                          "{dims}, {x}, {w4s}, {kbias}, {y}, {out_zp}, {rq}, {step}, {mode}, {act_min}, {act_max}",
                          "optimised/fully_connected_s4_fast.h", _fc, fast=True)
_CONV_ARGS = "{w4s}, {kbias}, {y}, {in_zp}, {out_zp}, {rq}, {step}, {mode}, {act_min}, {act_max}"
CONV = Variant("s4_fast", "tinycc_conv_2d_s4_cols", "&{shape}, {x}, " + _CONV_ARGS, "optimised/conv_2d_s4_cols.h",
               _conv, "tinycc_conv_2d_s4_cols_inplace",
               "&{shape}, &{ring_shape}, {buf}, " + _CONV_ARGS.replace("{y}", "{ring}"), fast=True)

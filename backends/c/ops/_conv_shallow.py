"""The shallow-input conv_2d variant's constants (kernels/optimised/conv_2d_shallow.h): a 3x3 int8 filter over 3
input channels with stride 1 or 2 (an RGB image model's first layer), rows widened to int16 once, every channel's
27 taps as 14 int16 pairs against them. Refuses (None) every other shape and what it cannot do exactly."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import requant

PAIR_WORDS = 34         # TINYCC_SH_PAIR_WORDS: kb0, kb1, 14 x (w0, w1), W0, h0, W1, h1
MAX_CO = 64             # TINYCC_SH_MAXCO
MAX_PX = 48             # TINYCC_SH_PX at most (the stack's row slots: 12 TINYCC_SH_PX + 12 bytes each)


def applies(node, g, p) -> bool:
    """The kernel's shape: int8, 3x3 over 3 channels, stride 1 or 2 (both ways), dilation 1, an even channel
    count up to MAX_CO, at least 4 output columns (a block), the whole int8 range as activation (SSAT's clamp alone)."""
    w = g.tensors[node.inputs[1]]
    y = g.tensors[node.outputs[0]]
    a = node.attrs
    return (p["dtype"] == "int8" and w.data is not None and tuple(w.shape[1:]) == (3, 3, 3)
            and w.shape[0] % 2 == 0 and 2 <= w.shape[0] <= MAX_CO and tuple(a["strides"]) in ((1, 1), (2, 2))
            and tuple(a["dilations"]) == (1, 1) and y.shape[2] >= 4
            and (int(p["act_min"]), int(p["act_max"])) == (-128, 127))


def shallow_words(table: np.ndarray, zp2: int, key: int, w: np.ndarray) -> np.ndarray:
    """The kernel's words (conv_2d_shallow.h): the layer's zp2 and key (requant.cols_table's), then per channel
    pair kb0, kb1, the 14 tap pairs of both channels (the low and high int16 of a word; a row's 9 taps in
    (kx, ci) order: rows 0 and 1's taps (0, 1), (2, 3), (4, 5), (6, 7), then their taps 8 as one pair, then
    row 2's five pairs, the last (8, 0)), then W0, h0 = zp2 << s0, W1, h1 (the kernel takes s = (W ^ key) & 31).
    `table`: requant.cols_table's co x 2 words (kb, W); `w`: its filter (co, 3, 3, 3)."""
    co = w.shape[0]
    rows = np.zeros((co, 3, 10), np.int64)
    rows[:, :, :9] = np.asarray(w, np.int64).reshape(co, 3, 9)      # (int16: mode z0's doubled filter too)
    pairs = np.concatenate([rows[:, :2, :8].reshape(co, 8, 2), rows[:, :2, 8].reshape(co, 1, 2),
                            rows[:, 2].reshape(co, 5, 2)], axis=1) & 0xFFFF          # (co, 14, 2)
    taps = pairs[:, :, 0] | (pairs[:, :, 1] << 16)                                  # uint32 values of the int16 pairs
    table = np.asarray(table, np.int64).reshape(co, 2)
    h = np.int64(zp2) << ((table[:, 1] ^ key) & 31)
    parts: list[np.ndarray] = [np.array([zp2, key], np.int64)]
    for c in range(0, co, 2):
        parts += [table[c:c + 2, 0], taps[c:c + 2].T.reshape(-1),
                  np.array([table[c, 1], h[c], table[c + 1, 1], h[c + 1]], np.int64)]
    words = np.concatenate(parts).astype(np.int64)
    return ((words + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)


def z0_words(table: np.ndarray, w: np.ndarray, p) -> tuple[np.ndarray, int] | None:
    """Mode z0's words and the layer's shift t - 1 (conv_2d_shallow.h: output zero point -128, the whole int8
    range: ReLU's usual first layer), or None where it does not hold. With TFLM's multiplier M in [2^30, 2^31)
    and right shift r >= 1 per channel and t = max r + 2 (every t - r in [2, 8]: int8 taps scaled by 2^(t-r) stay
    int16), channel c's filter and folded bias scaled by 2^(t-r) (its sum acc 2^(t-r)) and Ra = 2^(t-r-2) +
    2^(t-2) - 2^(t+6): the output SSAT8(SMMLA(acc 2^(t-r), M, Ra) >> (t - 1)), exact (the kernel's comment)
    where every scaled partial sum and Ra + its high product fit int32. A constant channel (cols_table's: its
    filter packed as zeros, kb = 4 (c - zp)) gets M = 0, Ra = c 2^(t-1). The pairs as shallow_words' (the header
    2 out_zp + 1, 0)."""
    if int(p["output_zp"]) != -128:
        return None
    co = w.shape[0]
    ms = requant.per_channel(p, co)
    if ms is None:
        return None
    mult, shift = ms
    table = np.asarray(table, np.int64).reshape(co, 2)
    kb = table[:, 0].copy()
    wf = np.asarray(w, np.int64).reshape(co, -1)
    const = ~wf.any(axis=1)
    r = -np.asarray(shift, np.int64)
    t = int(r[~const].max(initial=0)) + 2
    e = np.where(const, 0, t - r)                                                   # the channels' scale 2^e
    if t > 24 or ((e < 2) & ~const).any() or (e > 8).any() or \
            ((mult[~const] < (1 << 30)) | (mult[~const] >= (1 << 31))).any():
        return None
    bound = (np.abs(kb) + 128 * np.abs(wf).sum(axis=1)) << e                        # |scaled acc|, partial sums too
    ra = np.where(const, (kb // 4 - 128) << (t - 1),
                  (np.int64(1) << np.maximum(e - 2, 0)) + (np.int64(1) << (t - 2)) - (np.int64(1) << (t + 6)))
    if (bound >= (1 << 31)).any() or (np.abs(ra) + bound // 2 + 2 >= (1 << 31)).any():
        return None
    kb = np.where(const, 0, kb << e)
    words = shallow_words(np.stack([kb, np.zeros(co, np.int64)], axis=1), 0, 0,
                          np.asarray(w, np.int64) << e[:, None, None, None])
    pairs = words[2:].reshape(co // 2, PAIR_WORDS).astype(np.int64)
    pairs[:, 30:] = np.stack([np.where(const, 0, mult), ra], axis=1).reshape(co // 2, 4)   # M0, Ra0, M1, Ra1
    out = np.concatenate([[2 * int(p["output_zp"]) + 1, 0], pairs.reshape(-1)])
    return out.astype(np.int32), t - 1


def constants(node, m, p, inplace):
    """{"wsh": the words' C array, "wsz": mode z0's (the same where the node cannot take it), "wpk": the im2col
    kernel's (conv_2d.cols_constants: what ARMv6-M runs)} for
    tinycc_conv_2d_s8_shallow, or None when the kernel does not apply."""
    if inplace or not applies(node, m.g, p):
        return None
    found = requant.cols_table(node, m.g, p, np.asarray(m.g.tensors[node.inputs[1]].data, np.int8))
    if found is None:
        return None
    from tinycc.backends.c.ops import conv_2d  # (it lists this variant)
    cols = conv_2d.cols_constants(node, m, p)       # ARMv6-M runs the im2col kernel's own loops
    if cols is None:
        return None
    table, zp2, key, w = found
    if np.any(np.abs(np.int64(zp2) << ((np.asarray(table, np.int64)[:, 1] ^ key) & 31)) >= (1 << 31)):
        return None
    z0 = z0_words(table, w, p)
    # mode z0 where every shallow node takes it with one shift (TINYCC_SH_ZS, else 0: each node's W, h words)
    zs = 0 if z0 is None else z0[1]
    m.define_agreed("TINYCC_SH_ZS", zs)
    # a negative requantised sum rounds away from zero (an ADD ASR #31) unless it clamps to -128 either way;
    # stride 2's row copy and the shift key's XOR compiled in only where a node has that stride or a key; the
    # words' form W, h (TINYCC_SH_RQW) where a node cannot take mode z0's, else every node's z0 words
    needs = {"TINYCC_SHALLOW_NEG": int(p["output_zp"]) > -128, "TINYCC_SH_S2": tuple(node.attrs["strides"]) == (2, 2),
             "TINYCC_SH_KEY": key != 0, "TINYCC_SH_RQW": z0 is None}
    for name, need in needs.items():
        m.define_max(name, need)
    # the chunk: the most output pixels a node's row of a phase has, rounded up to whole blocks, at most 48
    nph = 1 if tuple(node.attrs["strides"]) == (2, 2) else 2
    ow = int(m.g.tensors[node.outputs[0]].shape[2])
    q = -(-ow // nph)                                       # the pixels of a phase's row
    px = min(MAX_PX, 4 * -(-q // 4))
    m.define_max("TINYCC_SH_PX", px, floor=4)
    # every shallow node's step between pixels' outputs where they agree (immediate offsets), else 0
    step = w.shape[0] * (1 if tuple(node.attrs["strides"]) == (2, 2) else 2)
    m.define_agreed("TINYCC_SH_STEP", step)
    words = m.const_array(shallow_words(table, zp2, key, w), "wsh",
                          comment=f"{node.inputs[1]} for the shallow-input kernel: 2 out_zp + 1, key, per "
                                  f"channel pair: kb0, kb1, 14 int16 tap pairs x2, W0, h0, W1, h1")
    zwords = words if z0 is None else m.const_array(
        z0[0], "wsz", comment=f"{node.inputs[1]} for the shallow-input kernel's mode z0: 2 out_zp + 1, 0, per "
                              f"channel pair: kb0, kb1, 14 scaled int16 tap pairs x2, M0, Ra0, M1, Ra1")
    return {"wsh": words, "wsz": zwords, "wpk": cols[0]}

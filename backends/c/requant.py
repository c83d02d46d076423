"""The c backend's one requantisation packer: every array of multipliers, shifts, folded biases and
fused requantisation words the int8 kernels read is computed here, for conv_2d, depthwise_conv_2d,
fully_connected and their in-place forms (backends/c/ops/), and the CMSIS-NN twins' arrays too.

TF Lite Micro's requantisation is MultiplyByQuantizedMultiplier(acc, M, shift) + out_zp (core/fixedpoint.py,
kernels/common/tinycc_fixedpoint.h). The fast kernels take it in one of these forms:
  - plain arrays of M (int32) and shift (int8) (reference kernels; tinycc_requant_s8 in kernels/optimised/dot_s8.h);
  - the folded bias kb = bias - in_zp * sum(w) per output channel, so that a kernel sums raw inputs;
  - fused words: for a right shift s, `rounding_word(zp, s)` = 2^(s-1) + zp * 2^s is the rounding half
    of a shift by s plus the output zero point added before it (the same as adding zp after it). The
    im2col conv packs one word a channel, 2M - 2^32 with e - 1 in its low 5 bits (cols_packed_words), the
    kernel making h = rounding_word(zp, e) from the layer's 2 zp + 1 (tinycc_cols_rq); fully_connected
    (M, h, r - 1) with h = rounding_word(zp, r - 1) (tinycc_fc_mul), depthwise h * 256 + r - 1 with
    the same h (tinycc_dw_rq).
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.layout import DW_CHANNEL_GROUP, DW_GROUP_WORDS, FC_BLOCK_UNITS
from tinycc.core.fixedpoint import multiply_by_quantized_multiplier


# ---- per-channel values ----
def bias_name(node) -> str | None:
    return node.inputs[2] if len(node.inputs) > 2 else None


def bias_values(node, g, co: int) -> np.ndarray | None:
    """The bias per output channel as int64 (zeros without a bias), or None when it is not constant or
    not `co` values."""
    name = bias_name(node)
    if name is None:
        return np.zeros(co, np.int64)
    if g.tensors[name].data is None:
        return None
    bias = g.tensors[name].data.astype(np.int64).reshape(-1)
    return bias if bias.size == co else None


def per_channel(p, co: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(multipliers, shifts) as int64, one per output channel (a per-tensor pair repeated), or None when
    prepare() gave neither 1 nor `co` of them."""
    mult = np.asarray(p["multiplier"], np.int64).reshape(-1)
    shift = np.asarray(p["shift"], np.int64).reshape(-1)
    if mult.size == 1 and shift.size == 1:
        mult, shift = np.repeat(mult, co), np.repeat(shift, co)
    if mult.size != co or shift.size != co:
        return None
    return mult, shift


def rounding_word(zp: int, s):
    """2^(s-1) + zp * 2^s: the rounding half of an arithmetic right shift by s (s >= 1) with the output
    zero point added before the shift, elementwise over int64 `s`."""
    return (2 * int(zp) + 1) * (np.int64(1) << (np.asarray(s, np.int64) - 1))


# ---- folded bias ----
def sums_fit_int32(bias: np.ndarray, kbias: np.ndarray, weights: np.ndarray) -> bool:
    """The fast int8 kernels add in int32 without wrapping: they apply only when no sum they form can
    leave int32, whatever the input: |bias| or |bias - in_zp * sum(w)| plus 256 * sum|w| per output
    channel bounds every partial sum (raw inputs against the folded bias, or inputs minus the zero
    point against the plain one). A model beyond (a bias near INT32_MAX) takes the reference kernels,
    which wrap as TFLM's int32 sums do. `weights` has output channels first."""
    co = weights.shape[0]
    spread = 256 * np.abs(weights.reshape(co, -1).astype(np.int64)).sum(axis=1)
    top = np.maximum(np.abs(np.asarray(bias, np.int64)), np.abs(np.asarray(kbias, np.int64))) + spread
    return bool(top.max(initial=0) < (1 << 31))


def fold(node, g, p, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(bias, bias - in_zp * sum(w)) per output channel as int64 for the fast int8 kernels (`weights`
    has output channels first), or None when the reference kernel must stay: a bias that is not
    constant, a negative multiplier (tinycc_requant_s8 takes non-negative ones only) or a sum that
    could leave int32 (sums_fit_int32)."""
    if np.min(np.asarray(p["multiplier"], dtype=np.int64), initial=0) < 0:
        return None
    co = weights.shape[0]
    bias = bias_values(node, g, co)
    if bias is None:
        return None
    kbias = bias - int(p["input_zp"]) * weights.reshape(co, -1).astype(np.int64).sum(axis=1)
    if not sums_fit_int32(bias, kbias, weights):
        return None
    return bias, kbias


# ---- C arrays ----
def mult_shift_arrays(node, m, p, comment: bool = True, shift_dtype=np.int32) -> tuple[str, str]:
    """The multiplier (int32) and shift arrays (`shift_dtype`) as prepare() gave them: one or one per
    channel. The c backend's reference, dot and transpose kernels read int8 shifts (every shift is in
    [-31, 30]: quant_limits refuses a factor beyond), CMSIS-NN's API int32 ones."""
    mult = m.const_array(np.asarray(p["multiplier"], dtype=np.int32), "mult",
                         comment=f"{node.name} multipliers" if comment else "")
    shift = m.const_array(np.asarray(p["shift"], dtype=shift_dtype), "shift",
                          comment=f"{node.name} shifts" if comment else "")
    return mult, shift


def reference_mult_shift(node, m, p, weights) -> tuple[str, str]:
    """The int8 reference kernels' (multiplier, shift) arguments: one word per channel with the shift in
    it and "NULL" for the shift (packed_multipliers; TINYCC_SHIFT_AT) when the layer is per-channel and
    every channel has such a word, else the two arrays. `weights`: output channels first."""
    words = None if weights is None else packed_multipliers(node, m.g, p, np.asarray(weights))
    if words is None:
        return mult_shift_arrays(node, m, p, shift_dtype=np.int8)
    return m.const_array(words, "mult", comment=f"multipliers with their right shift in the low {SHIFT_BITS} bits: "
                                                 f"{node.name}"), "NULL"


def plain_bias_array(node, m, bias: np.ndarray) -> str:
    """The bias as the fast kernels read it: the int32 bias tensor itself, else its values as int32."""
    name = bias_name(node)
    if name is not None and m.g.tensors[name].dtype == "int32":
        return m.ptr(name, const=True)
    return m.const_array(bias.astype(np.int32), "bias", comment=f"{node.name} bias")


def kbias_array(node, m, kbias: np.ndarray) -> str:
    return m.const_array(np.asarray(kbias).astype(np.int32), "kbias",
                         comment=f"{node.name} bias - input zero point * sum(w)")


# ---- fused words ----
def dw_rq_words(shift: np.ndarray, out_zp: int) -> tuple[np.ndarray | None, int]:
    """tinycc_dw_rq's words (kernels/optimised/depthwise_conv_2d_fast_taps.h) and mode: h * 256 + r - 1
    with h = rounding_word(out_zp, r - 1) per channel when every shift is -r with 2 <= r <= 17 and h fits
    24 bits (mode 1), else with h = 2^(r-2) when 2 <= r <= 24 (mode 2: the kernel adds out_zp after the
    shift), else (None, 0) (the kernel requantises with tinycc_requant_s8)."""
    r = -np.asarray(shift, np.int64)
    if r.min(initial=2) >= 2 and r.max(initial=2) <= 17:
        hi0 = rounding_word(out_zp, r - 1)
        if np.abs(hi0).max(initial=0) < (1 << 23):
            return hi0 * 256 + (r - 1), 1
    if r.min(initial=2) >= 2 and r.max(initial=2) <= 24:
        return (np.int64(1) << (r - 2)) * 256 + (r - 1), 2     # out_zp added after the shift
    return None, 0


def dw_group_words(folded: np.ndarray, mult: np.ndarray, rqw: np.ndarray) -> np.ndarray:
    """tinycc_dw_kp's array: per group of DW_CHANNEL_GROUP channels its folded biases, then (multiplier,
    rq word) per channel (DW_GROUP_WORDS words), the last group zero-padded; int32."""
    co = folded.size
    groups = -(-co // DW_CHANNEL_GROUP)
    n = DW_CHANNEL_GROUP
    packed = np.zeros((groups, DW_GROUP_WORDS), np.int64)
    for k, v in enumerate((folded, mult, rqw)):
        padded = np.zeros(groups * n, np.int64)
        padded[:co] = v
        if k == 0:
            packed[:, 0:n] = padded.reshape(groups, n)
        else:
            packed[:, n - 1 + k:DW_GROUP_WORDS:2] = padded.reshape(groups, n)
    return packed.reshape(-1).astype(np.int32)


def fc_rq_words(p) -> tuple[np.ndarray, int]:
    """tinycc_fc_out's words (kernels/optimised/fully_connected_w4.h) and mode: per multiplier
    (M, rounding_word(out_zp, r - 1), r - 1) for right shifts 2 <= r <= 23 (mode 2, saturating only,
    with one multiplier and the whole int8 range as activation; else mode 1), else (M, shift, 0)
    (mode 0: tinycc_requant_s8). int32, three words a unit or one triple for all."""
    mult = np.asarray(p["multiplier"], dtype=np.int64).reshape(-1)
    shift = np.asarray(p["shift"], dtype=np.int64).reshape(-1)
    if shift.max() <= -2 and shift.min() >= -23:    # right shifts 2..23: one multiply-add, one shift
        r = -shift
        rq = np.stack([mult, rounding_word(p["output_zp"], r - 1), r - 1], axis=1)
        mode = 2 if (p["act_min"], p["act_max"]) == (-128, 127) and len(mult) == 1 else 1
    else:
        rq, mode = np.stack([mult, shift, np.zeros_like(shift)], axis=1), 0
    return rq.astype(np.int32).reshape(-1), mode


def fc_kbias(kbias: np.ndarray) -> np.ndarray:
    """The folded bias padded with zeros to whole blocks of FC_BLOCK_UNITS units, int32."""
    return np.concatenate([kbias, np.zeros(-kbias.size % FC_BLOCK_UNITS, np.int64)]).astype(np.int32)


def reachable_sums(p, bias: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(amin, amax) per output channel: the least and greatest accumulator bias + sum(w (x - in_zp)) an int8
    input x can produce (`w`: output channels first), int64."""
    w = np.asarray(w, np.int64)
    w = w.reshape(w.shape[0], int(np.prod(w.shape[1:])))     # (0, k) too: every channel constant
    span = np.array([-128, 127], np.int64) - int(p["input_zp"])
    return (bias + np.minimum(w * span[0], w * span[1]).sum(axis=1),
            bias + np.maximum(w * span[0], w * span[1]).sum(axis=1))


def cols_table(node, g, p, w: np.ndarray):
    """(co x 2 words kb, W for conv_2d.cols_words, the layer's 2 out_zp + 1, its key, the filter to pack), or None when
    a multiplier is not 0 or in [2^30, 2^31), a shift is not a right shift by 1..31, a channel finds no
    one-word requantisation (cols_packed_words) or an int32 sum could overflow (tinycc_cols_rq,
    kernels/optimised/conv_2d_cols.h). Per channel: kb = bias - in_zp * sum(w) and W, 2M - 2^32 with
    the right shift less one in its low 5 bits XOR the key (TFLM's exactly for every reachable accumulator). A
    channel whose output does not depend on its input (a filter of zeros, a zero multiplier, or a clamped
    output equal at the least and greatest reachable sum: a dead channel, its bias far beyond what its
    taps can move) has its filter packed as zeros and gets TFLM's constant c: W = -2^31 | key (s = 0),
    kb = 4 (c - zp) (const_kbias), its int8 output clamped by the kernel as any other."""
    co = w.shape[0]
    name = bias_name(node)
    if name is not None and g.tensors[name].data is None:
        return None
    ms = per_channel(p, co)
    bias = bias_values(node, g, co)
    if ms is None or bias is None:
        return None
    mult, shift = ms
    zp, lo, hi = int(p["output_zp"]), int(p["act_min"]), int(p["act_max"])
    amin, amax = reachable_sums(p, bias, w)
    if max(np.abs(amin).max(initial=0), np.abs(amax).max(initial=0)) >= (1 << 31):
        return None
    ends = [np.clip(multiply_by_quantized_multiplier(a.astype(np.int32), mult.astype(np.int32),
                                                     shift.astype(np.int32)).astype(np.int64) + zp, lo, hi)
            for a in (amin, amax)]
    const = (ends[0] == ends[1]) | (mult == 0)    # the output is ends[0] whatever the input
    w = np.array(w, np.int8)
    w[const] = 0
    packed = cols_packed_words(node, g, p, w)
    if packed is None:
        return None
    words, key = packed
    wf = np.asarray(w, np.int64).reshape(co, -1)
    kbias = bias - int(p["input_zp"]) * wf.sum(axis=1)
    kbias[const] = const_kbias(ends[0][const], zp)
    wd = words.astype(np.int64)
    h = (2 * zp + 1) * (np.int64(1) << ((wd ^ key) & 31))
    bound = np.abs(kbias) + 128 * np.abs(wf).sum(axis=1)          # |acc|, every partial sum too
    xbound = (bound * (wd + (1 << 32))) // (1 << 32) + 2            # |acc + SMMLAR's high word|
    if (bound >= (1 << 31)).any() or (xbound + np.abs(h) + 1 >= (1 << 31)).any():
        return None
    return np.stack([kbias, wd], axis=1).astype(np.int32), 2 * zp + 1, key, w


# ---- multiplier words that carry their shift ----
SHIFT_BITS = 5          # a packed word's low bits: the right shift 0..31 (TINYCC_SHIFT_AT, tinycc_fixedpoint.h)
PACK_STEPS = 8          # candidates tried each side of M, 2^SHIFT_BITS apart


def _level_thresholds(f, lo: int, hi: int, amin, amax) -> np.ndarray:
    """Per row, for each output level k in lo+1..hi, the least accumulator in [amin, amax] whose f(acc) >= k
    (amax + 1 where none); f: (acc rows x levels) -> outputs, non-decreasing in acc."""
    ks = np.arange(lo + 1, hi + 1, dtype=np.int64)[None, :]
    a = np.repeat(np.asarray(amin, np.int64)[:, None], ks.size, axis=1)
    top = np.asarray(amax, np.int64)[:, None]
    b = np.repeat(top + 1, ks.size, axis=1)
    while (a < b).any():
        mid = (a + b) // 2
        ok = (f(np.minimum(mid, top)) >= ks) & (mid <= top)
        b, a = np.where((a < b) & ok, mid, b), np.where((a < b) & ~ok, mid + 1, a)
    return a


def _thresholds(mult, shift, zp: int, lo: int, hi: int, amin, amax) -> np.ndarray:
    """Per channel (rows), for each output level k in lo+1..hi, the least accumulator in [amin, amax] whose
    clamp(MultiplyByQuantizedMultiplier(acc, M, shift) + zp, lo, hi) >= k (amax + 1 where none): the
    function is non-decreasing in acc (M >= 0), so these thresholds determine it on [amin, amax]."""
    m, s = np.asarray(mult, np.int64)[:, None], np.asarray(shift, np.int64)[:, None]
    return _level_thresholds(lambda a: np.clip(multiply_by_quantized_multiplier(a, m, s) + zp, lo, hi),
                             lo, hi, amin, amax)


def packed_multipliers(node, g, p, weights: np.ndarray) -> np.ndarray | None:
    """One int32 word per output channel in place of the (multiplier, int8 shift) pair, or None: a word W
    whose low SHIFT_BITS bits are the right shift r (0..31) and which, taken whole as the multiplier, gives
    clamp(MultiplyByQuantizedMultiplier(acc, W, -r) + out_zp, act_min, act_max) equal to TF Lite Micro's
    with (M, -r) for every accumulator any int8 input can produce (|bias| + the filter's sum against
    inputs of [-128, 127] minus the input zero point): M's low bits only move the output where a
    rounding boundary falls between two reachable accumulators, which the threshold comparison rules
    out (_thresholds). None when a layer is per-tensor (one pair is smaller), a shift is a left shift,
    a multiplier negative, a sum could leave int32, or a channel finds no such word among the
    2 * PACK_STEPS + 1 candidates nearest M (the layer keeps its two arrays). `weights`: output channels
    first."""
    co = weights.shape[0]
    ms = per_channel(p, co)
    bias = bias_values(node, g, co)
    if ms is None or bias is None or np.asarray(p["multiplier"]).size == 1:
        return None
    mult, shift = ms
    if (shift > 0).any() or (shift < -31).any() or (mult < 0).any():
        return None
    amin, amax = reachable_sums(p, bias, weights)
    if max(np.abs(amin).max(initial=0), np.abs(amax).max(initial=0)) >= (1 << 31):
        return None
    zp, lo, hi = int(p["output_zp"]), int(p["act_min"]), int(p["act_max"])
    want = _thresholds(mult, shift, zp, lo, hi, amin, amax)
    step = 1 << SHIFT_BITS
    base = (mult & ~(step - 1)) | -shift
    words = np.full(co, -1, np.int64)
    for k in sorted(range(-PACK_STEPS, PACK_STEPS + 1), key=abs):
        todo = words < 0
        if not todo.any():
            break
        cand = base + k * step
        fits = todo & (cand > 0) & (cand < (1 << 31))
        if not fits.any():
            continue
        idx = np.flatnonzero(fits)
        same = (_thresholds(cand[idx], shift[idx], zp, lo, hi, amin[idx], amax[idx]) == want[idx]).all(axis=1)
        words[idx[same]] = cand[idx[same]]
    return None if (words < 0).any() else words.astype(np.int32)


# ---- the im2col conv's requantisation in one word per channel (tinycc_cols_rq) ----
COLS_PACK_STEPS = 32    # candidates tried each side of M2
COLS_KEYS = 4           # layer keys tried (cols_packed_words)


def cols_word_outputs(acc, word, zp: int, lo: int, hi: int, key: int = 0):
    """clamp(y, lo, hi) of the one-word im2col requantisation, elementwise over int64 arrays: with W the
    word (int32) and s = (W ^ key) & 31 (key: the layer's, 0..31), x = acc + ((acc W + 2^31) >> 32)
    (SMMLAR acc, acc, W: the word taken whole as 2M - 2^32, its low bits included), h = (2 zp + 1) << s,
    y = ((x + h + (x >> 31)) >> s) >> 1 (the last shift is SSAT's ASR #1): TFLM's
    MultiplyByQuantizedMultiplier(acc, M, -(s + 1)) + zp when W = 2M - 2^32 exactly, and the same
    wherever a word near it moves no rounding boundary past a reachable accumulator (cols_packed_words
    proves it)."""
    acc, word = np.asarray(acc, np.int64), np.asarray(word, np.int64)
    s = (word ^ int(key)) & 31
    x = acc + ((acc * word + (1 << 31)) >> 32)
    h = (2 * int(zp) + 1) * (np.int64(1) << s)
    return np.clip(((x + h + (x >> 31)) >> s) >> 1, lo, hi)


def cols_packed_words(node, g, p, weights: np.ndarray) -> tuple[np.ndarray, int] | None:
    """(one int32 word per output channel, the layer's key 0..31) for the im2col conv in place of three words
    (M2, h, e): a word W near M2 = 2M - 2^32 whose low 5 bits XOR the key are s = e - 1 and for which
    cols_word_outputs equals TF Lite Micro's clamp(MultiplyByQuantizedMultiplier(acc, M, -e) + out_zp,
    act_min, act_max) at every accumulator an int8 input can reach (as packed_multipliers: the two
    non-decreasing functions have the same level thresholds on [amin, amax]); h then comes from one
    per-layer value, 2 zp + 1 (12 bytes a channel become 4). The key is 0 unless a channel finds no word
    among the 2 * COLS_PACK_STEPS + 1 nearest M2 (32 apart; VWW has two such layers: a multiplier whose
    rounding ties any change moves): then up to COLS_KEYS keys that make such a channel's exact M2 its
    word are tried. A channel whose output does not depend on its input (a filter of zeros or a zero
    multiplier) gets -2^31 | key (M = 2^30, s = 0), under which cols_word_outputs gives zp + kb / 4 for a
    folded bias kb that is a multiple of 4: its folded bias must be const_kbias. None when cols_table's
    limits are not met (multipliers in [2^30, 2^31), right shifts 1..31, sums within int32) or no key
    serves every channel. `weights`: output channels first."""
    co = weights.shape[0]
    ms = per_channel(p, co)
    bias = bias_values(node, g, co)
    if ms is None or bias is None:
        return None
    mult, shift = ms
    w = np.asarray(weights, np.int64).reshape(co, -1)
    const = ~w.any(axis=1) | (mult == 0)
    live = np.flatnonzero(~const)
    mult, shift, bias, w = mult[live], shift[live], bias[live], w[live]
    e = -shift
    if (mult < (1 << 30)).any() or (mult >= (1 << 31)).any() or (e < 1).any() or (e > 31).any():
        return None
    amin, amax = reachable_sums(p, bias, w)
    if max(np.abs(amin).max(initial=0), np.abs(amax).max(initial=0)) >= (1 << 31):
        return None
    zp, lo, hi = int(p["output_zp"]), max(int(p["act_min"]), -128), min(int(p["act_max"]), 127)
    want = _thresholds(mult, shift, zp, lo, hi, amin, amax)
    step = 32
    m2 = 2 * mult - (1 << 32)

    def search(key: int) -> tuple[np.ndarray, np.ndarray]:
        words = np.full(co, -(1 << 31) | key, np.int64)       # constant channels: s = 0
        found = np.zeros(live.size, bool)
        base = (m2 & ~(step - 1)) | ((e - 1) ^ key)
        for k in sorted(range(-COLS_PACK_STEPS, COLS_PACK_STEPS + 1), key=abs):
            cand = base + k * step
            idx = np.flatnonzero(~found & (cand >= -(1 << 31)) & (cand < 0))
            if idx.size == 0:
                continue
            got = _level_thresholds(lambda a, c=cand[idx]: cols_word_outputs(a, c[:, None], zp, lo, hi, key),
                                    lo, hi, amin[idx], amax[idx])
            same = idx[(got == want[idx]).all(axis=1)]
            words[live[same]] = cand[same]
            found[same] = True
        return words, found

    words, found = search(0)
    # else the keys that make an unserved channel's exact word M2 its own
    for key in list(dict.fromkeys(int(k) for k in ((m2 & 31) ^ (e - 1))[~found]))[:COLS_KEYS]:
        if found.all():
            break
        words, found = search(key)
        if found.all():
            return words.astype(np.int32), key
    return (words.astype(np.int32), 0) if found.all() else None


def const_kbias(c: np.ndarray, zp: int) -> np.ndarray:
    """The folded bias of a constant channel under the word -2^31 (cols_packed_words): 4 (c - zp) with c,
    the channel's int8 output, so that cols_word_outputs(kb, -2^31, zp, ...) = c."""
    return 4 * (np.asarray(c, np.int64) - int(zp))

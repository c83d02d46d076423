"""The C micro-kernels TVM's tensorised int8 schedules call (backends/microtvm/dsp.py), shipped in
the generated library beside TVM's kernels: only those a model uses (each is `static`).

cols_source: one output row of a convolution or fully connected (every pixel and channel, the
requantisation fused): with the Cortex-M DSP extension (__ARM_FEATURE_DSP) the patches are widened
once with SXTB16 (bytes 0,2 and, rotated by 8, bytes 1,3: the same order on both sides, so the
pairs meet) into a stack column and multiplied-accumulated two at a time with SMLAD, 3 pixels x
2 channels a block in inline assembly; elsewhere (and in unoptimised builds) plain C. dw_source:
one depthwise output row, 4 channels at a time, the taps unrolled (SMLABB/SMLATT), the
requantisation fused. PRELUDE: the padded-row copy (tinycc_tvm_pad_row) and the requantisation
helpers (tinycc_tvm_requant*, TF Lite Micro's MultiplyByQuantizedMultiplier exactly);
constant_channels and requant_plan pick the cheapest exact helper. int32 accumulation: the same
sums as TF Lite Micro's loops, in any order. The signatures are the prototypes TVM's C code
generator declares for the extern calls (non-const pointers, int32 result, always 0).
"""
from __future__ import annotations

import numpy as np

PRELUDE = """/* tinycc's micro-kernels for TVM's tensorised int8 schedules (SXTB16 + SMLAD with the DSP
 * extension, plain C elsewhere) */
#include <string.h>
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && defined(__OPTIMIZE__) && !defined(TINYCC_NO_ASM)
#include <arm_acle.h>
#define TINYCC_TVM_DSP 1
static inline int32_t tinycc_tvm_ld4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);   /* one LDR: the Cortex-M4 loads unaligned words */
    return v;
}
static inline int32_t tinycc_tvm_sxtb16_ror8(int32_t v) {
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
#endif
/* A padded input row: zero-point borders, the input's bytes between (word loops) */
static inline void tinycc_tvm_fill_words(int8_t *dst, int32_t i, int32_t end, int32_t zp) {
    const uint32_t fill = 0x01010101u * (uint8_t)zp;
    for (; i + 16 <= end; i += 16) {
        memcpy(dst + i, &fill, 4);
        memcpy(dst + i + 4, &fill, 4);
        memcpy(dst + i + 8, &fill, 4);
        memcpy(dst + i + 12, &fill, 4);
#ifdef TINYCC_TVM_DSP
        __asm__ volatile("" ::: "memory");   /* a loop of word stores, not a call of newlib's memset */
#endif
    }
    for (; i + 4 <= end; i += 4) {
        memcpy(dst + i, &fill, 4);
#ifdef TINYCC_TVM_DSP
        __asm__ volatile("" ::: "memory");   /* a loop of word stores, not a call of newlib's memset */
#endif
    }
    /* at most 3 bytes left: no byte loop (GCC would make it a memset it cannot bound) */
    if (i < end) dst[i] = (int8_t)zp;
    if (i + 1 < end) dst[i + 1] = (int8_t)zp;
    if (i + 2 < end) dst[i + 2] = (int8_t)zp;
}
static inline int32_t tinycc_tvm_pad_row(int8_t *dst, int8_t *last, int8_t *src, int32_t inside, int32_t n,
                                         int32_t left, int32_t w, int32_t zp) {
    const int32_t start = inside ? (left < n ? left : n) : n, end = inside ? (left + w < n ? left + w : n) : n;
    int32_t i = start;
    (void)last;
    tinycc_tvm_fill_words(dst, 0, start, zp);
    for (; i + 16 <= end; i += 16) {
        int32_t v0, v1, v2, v3;                 /* four LDRs back to back, four STRs */
        memcpy(&v0, src + i - left, 4);
        memcpy(&v1, src + i - left + 4, 4);
        memcpy(&v2, src + i - left + 8, 4);
        memcpy(&v3, src + i - left + 12, 4);
        memcpy(dst + i, &v0, 4);
        memcpy(dst + i + 4, &v1, 4);
        memcpy(dst + i + 8, &v2, 4);
        memcpy(dst + i + 12, &v3, 4);
#ifdef TINYCC_TVM_DSP
        __asm__ volatile("" ::: "memory");   /* a loop of words, not a call of newlib's memcpy */
#endif
    }
    for (; i + 8 <= end; i += 8) {
        memcpy(dst + i, src + i - left, 8);     /* two LDRs, two STRs */
#ifdef TINYCC_TVM_DSP
        __asm__ volatile("" ::: "memory");   /* a loop of words, not a call of newlib's memcpy */
#endif
    }
    for (; i + 4 <= end; i += 4) {
        memcpy(dst + i, src + i - left, 4);     /* one LDR and one STR a word */
#ifdef TINYCC_TVM_DSP
        __asm__ volatile("" ::: "memory");   /* a loop of words, not a call of newlib's memcpy */
#endif
    }
    if (i < end) dst[i] = src[i - left];             /* at most 3 bytes left */
    if (i + 1 < end) dst[i + 1] = src[i + 1 - left];
    if (i + 2 < end) dst[i + 2] = src[i + 2 - left];
    tinycc_tvm_fill_words(dst, end, n, zp);
    return 0;
}
/* The int8 epilogue of TVM's DSP schedules, per output element: TF Lite Micro's
 * MultiplyByQuantizedMultiplier(acc, mult, shift) (the left shift wrapping, gemmlowp's
 * SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, as tinycc_mbqm of the c backend: for
 * ab < 0, trunc((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31), so one SMLAL and a shift),
 * + the output zero point, clamped to [lo, hi]. The _r variant is for right shifts only (shift <= 0)
 * and multipliers other than INT32_MIN (prepare()'s are in [2^30, 2^31) or 0): no branches. */
static inline int32_t tinycc_tvm_clamp(int32_t v, int32_t lo, int32_t hi) {
#ifdef TINYCC_TVM_DSP
    if (lo == -128 && hi == 127) return __ssat(v, 8);     /* constants once inlined: one SSAT */
#endif
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}
static inline int32_t tinycc_tvm_rdbpot(int32_t high, int32_t right) {
    const int32_t mask = (int32_t)((1u << right) - 1u);
    const int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)high >> 31);
    return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}
static inline int32_t tinycc_tvm_requant(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo,
                                         int32_t hi) {
    const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    const int32_t a = (int32_t)((uint32_t)acc << left);
    const int32_t high = a == INT32_MIN && mult == INT32_MIN ? INT32_MAX
        : (int32_t)(((int64_t)a * (int64_t)mult + ((int64_t)1 << 30)) >> 31);
    return tinycc_tvm_clamp(tinycc_tvm_rdbpot(high, right) + zp, lo, hi);
}
/* _e: every shift a right shift by e in 1..31 and every multiplier M in [2^30, 2^31), given as
 * m2 = 2M - 2^32 and e: SRDHM(acc, M) = floor((acc M + 2^30) / 2^31) = (acc 2^32 + acc m2 + 2^31) >> 32
 * (one SMMLAR), and RoundingDivideByPOT(x, e) + zp = (x + (2 zp + 1) 2^(e-1) + (x < 0 ? -1 : 0)) >> e
 * (the rounding half and the zero point added before one shift); the caller checked at compile time
 * that no sum leaves int32. As the c backend's tinycc_cols_rq. */
static inline int32_t tinycc_tvm_requant_e(int32_t acc, int32_t m2, int32_t e, int32_t zp, int32_t lo,
                                           int32_t hi) {
    int32_t x;
#ifdef TINYCC_TVM_DSP
    __asm__("smmlar %0, %1, %2, %1" : "=r"(x) : "r"(acc), "r"(m2));
#else
    x = (int32_t)(((int64_t)acc * ((int64_t)m2 + 4294967296LL) + 2147483648LL) >> 32);
#endif
    x = (x + (int32_t)((uint32_t)(2 * zp + 1) << (e - 1)) + (x >> 31)) >> e;
    return tinycc_tvm_clamp(x, lo, hi);
}
static inline int32_t tinycc_tvm_requant_r(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo,
                                           int32_t hi) {
    const int32_t high = (int32_t)(((int64_t)acc * (int64_t)mult + ((int64_t)1 << 30)) >> 31);
    return tinycc_tvm_clamp(tinycc_tvm_rdbpot(high, -shift) + zp, lo, hi);
}
"""
REQUANT_NAME = "tinycc_tvm_requant"
PAD_ROW_NAME = "tinycc_tvm_pad_row"


def requant_plan(p, bias, k: int) -> tuple[str, np.ndarray, np.ndarray]:
    """(epilogue helper, its multiplier and shift arrays) for prepare()'s constants `p`, the folded
    int32 bias and k products of int8 values per output: tinycc_tvm_requant_e with (2M - 2^32, e)
    when every shift is -e with 1 <= e <= 31, every M in [2^30, 2^31) and no sum it forms can leave
    int32 (|x| <= |acc| + 1, |acc| <= max |bias| + 2^14 k), else requant_name's helper with (M, shift)."""
    mult = np.asarray(p["multiplier"], np.int64).reshape(-1)
    shift = np.asarray(p["shift"], np.int64).reshape(-1)
    e = -shift
    acc_max = int(np.abs(np.asarray(bias, np.int64)).max(initial=0)) + 128 * 128 * k
    zp = int(p["output_zp"])
    if e.min() >= 1 and e.max() <= 31 and mult.min() >= 1 << 30 and mult.max() < 1 << 31:
        h = np.abs((2 * zp + 1) * (np.int64(1) << (e - 1)))
        if int((acc_max + 2 + h).max()) < 1 << 31:
            return REQUANT_NAME + "_e", (2 * mult - (1 << 32)).astype(np.int32), e.astype(np.int32)
    return requant_name(shift, mult), mult.astype(np.int32), shift.astype(np.int32)


def constant_channels(p, bias, w: np.ndarray) -> tuple[dict, np.ndarray]:
    """(prepare()'s constants, folded bias) with every output channel whose result cannot vary recast
    for the one-shift epilogue (tinycc_tvm_requant_e): a channel c (weights w[c, :], right shift or
    none) whose TF Lite Micro output clamp(MultiplyByQuantizedMultiplier(bias_c + s, M, shift) + zp)
    is the same value v at both ends of the reachable sums s (int8 inputs: s_lo = sum min(-128 w,
    127 w), s_hi likewise; the function is monotone in s) outputs v for every input. It gets M = 2^30,
    shift -e with 2^e > max |s| and bias (v - zp) 2^(e+1): the epilogue's round((s + bias) / 2^(e+1))
    + zp is then v - zp + 0 + zp = v exactly (a dead channel, M = 0, is such a channel; TFLM's shift
    of 31 for a tiny scale often is). Other channels are left as they are."""
    from tinycc.core.fixedpoint import multiply_by_quantized_multiplier
    w = np.asarray(w, np.int64)
    mult = np.asarray(p["multiplier"], np.int64).reshape(-1).copy()
    shift = np.asarray(p["shift"], np.int64).reshape(-1).copy()
    bias = np.asarray(bias, np.int64).reshape(-1).copy()
    if mult.size != w.shape[0] or shift.size != w.shape[0] or bias.size != w.shape[0]:
        return p, bias
    zp, lo, hi = int(p["output_zp"]), int(p["act_min"]), int(p["act_max"])
    s_lo = np.minimum(-128 * w, 127 * w).sum(axis=1)
    s_hi = np.maximum(-128 * w, 127 * w).sum(axis=1)
    reach = int(np.maximum(-s_lo, s_hi).max(initial=0))
    e = max(1, reach.bit_length() + 1)                       # 2^e > 2 reach
    ends = [np.clip(multiply_by_quantized_multiplier(np.clip(bias + s, -(1 << 31), (1 << 31) - 1), mult, shift)
                    + zp, lo, hi) for s in (s_lo, s_hi)]
    inside = (bias + s_lo >= -(1 << 31)) & (bias + s_hi < 1 << 31)      # TFLM's sums stay int32
    same = (ends[0] == ends[1]) & (shift <= 0) & (mult >= 0) & inside & (e <= 21)   # |bias| < 2^31
    if not same.any():
        return p, bias
    mult[same], shift[same] = 1 << 30, -e
    bias[same] = (ends[0][same] - zp) << (e + 1)
    return {**p, "multiplier": mult, "shift": shift}, bias


def requant_name(shifts, mults) -> str:
    """The epilogue helper for prepare()'s per-channel shifts and multipliers (the _r variant when no
    channel shifts left and no multiplier is INT32_MIN)."""
    if all(int(v) <= 0 for v in shifts) and all(int(m) != -(1 << 31) for m in mults):
        return REQUANT_NAME + "_r"
    return REQUANT_NAME


def cols_name(t: int, co: int, rows: int, k: int, sa: int, sp: int, rq: tuple) -> str:
    return f"tinycc_cols_s8_p{t}_c{co}_r{rows}_k{k}_a{sa}_s{sp}_{rq_tag(rq)}"


def rq_tag(rq: tuple) -> str:
    """A fused epilogue's (helper, zp, lo, hi) in a kernel name: e_z-128_l-128_h127 -> e_zm128_lm128_h127."""
    helper, zp, lo, hi = rq
    return f"{helper[len(REQUANT_NAME) + 1:] or 'g'}_z{zp}_l{lo}_h{hi}".replace("-", "m")


def rq_call(rq: tuple, acc: str, m: str, s: str) -> str:
    """C of the fused epilogue of a sum acc with the channel's multiplier and shift (C expressions m, s):
    (int8_t)helper(acc, m, s, zp, lo, hi)."""
    helper, zp, lo, hi = rq
    return f"(int8_t){helper}({acc}, {m}, {s}, {zp}, {lo}, {hi})"


def cols_groups(rows: int, k: int) -> int:
    """4-tap groups of a pixel's patch (rows * k taps, zero-padded to a multiple of 4)."""
    return (rows * k + 3) // 4


def pack_pairs(w: np.ndarray) -> np.ndarray:
    """Weights (co, taps) -> the cols kernels' layout (ceil(co / 2), groups, 2, 4): output channels
    in pairs, a pair's 4-tap groups interleaved (c0 g0, c1 g0, c0 g1, ...), zero-padded (an odd last
    channel's partner and the taps past the patch are zeros)."""
    co, taps = w.shape
    groups = (taps + 3) // 4
    out = np.zeros((co + co % 2, groups * 4), np.int8)
    out[:co, :taps] = w
    return np.ascontiguousarray(out.reshape(-1, 2, groups, 4).transpose(0, 2, 1, 3))


def cols_source(t: int, co: int, rows: int, k: int, sa: int, sp: int, rq: tuple) -> str:
    """C source of cols_name(...)(a, b, y, bias, mult, shift): y[p * co + j] = the epilogue rq
    (requant_plan's helper with the output zero point and clamp) of bias[j] + the sum over r < rows,
    i < k of a[p * sp + r * sa + i] * w[j, r * k + i], for t pixels p and all co channels j, the
    weights in pack_pairs' layout at b (every size and stride a compile-time constant): the reduction
    and its epilogue in one micro-kernel, the sums never leaving registers. With the DSP extension
    three pixels at a time: their patches are widened once into a stack column (SXTB16: each 4-tap
    group x0..x3 as the int16 pairs [x0,x2] [x1,x3], the pairs a weight word's own SXTB16s give; the
    three pixels' words interleaved group by group), then every channel pair is a 3 x 2 block of SMLADs
    in inline assembly (each weight word widened once for the three pixels, each column word used by
    both channels); the 1, 2 or 4 pixels left go in pairs (2 x 2 blocks, a lone pixel paired with
    itself), an odd last channel a pass of its own. Elsewhere plain C over the same layout."""
    groups = cols_groups(rows, k)
    taps = rows * k
    name = cols_name(t, co, rows, k, sa, sp, rq)
    slots = 3 if t > 1 else 1          # column slots (pixels side by side); a lone pixel needs one
    pair = groups * 8                  # bytes of one channel pair's weights
    if k % 4 == 0:                     # each group inside one kernel row: widened straight from the input
        widen = f"""    for (r = 0; r < {rows}; ++r) {{
        for (i = 0; i < {k // 4}; ++i) {{
            const int32_t v = tinycc_tvm_ld4(x + r * {sa} + 4 * i);
            int32_t *d = col + {slots * 2} * (r * {k // 4} + i) + 2 * q;
            d[0] = __sxtb16(v);
            d[1] = tinycc_tvm_sxtb16_ror8(v);
        }}
    }}
"""
    else:                              # groups across kernel rows: each int16 pair gathered from its two taps
        def at(t: int) -> str:         # tap t's input byte, widened (0 past the patch: zero weights there too)
            return f"(int32_t)x[{(t // k) * sa + t % k}]" if t < taps else "0"

        def halves(t0: int, t1: int) -> str:
            return f"(int32_t)(((uint32_t){at(t0)} & 0xffffu) | ((uint32_t){at(t1)} << 16))"
        widen = "    (void)r;\n    (void)i;\n" + "".join(
            f"    col[{2 * slots * g} + 2 * q] = {halves(4 * g, 4 * g + 2)};\n"
            f"    col[{2 * slots * g + 1} + 2 * q] = {halves(4 * g + 1, 4 * g + 3)};\n" for g in range(groups))
    # one group (4 taps, 24 MACs): the weights' two words and pixel 0's two back to back, then pixel 1's and
    # pixel 2's (each load pipelines after the one before), 4 SXTB16, 12 SMLAD; the pointers post-incremented.
    # 14 registers: 6 sums, 2 pointers, the weights' 4 halves, 2 column words
    mac = "".join(f'''                "ldr %[x0], [%[x]], #4\\n\\t"
                "ldr %[x1], [%[x]], #4\\n\\t"
                "smlad %[a{q}0], %[x0], %[wa], %[a{q}0]\\n\\t"
                "smlad %[a{q}0], %[x1], %[wah], %[a{q}0]\\n\\t"
                "smlad %[a{q}1], %[x0], %[wb], %[a{q}1]\\n\\t"
                "smlad %[a{q}1], %[x1], %[wbh], %[a{q}1]\\n\\t"
''' for q in range(3))
    one = f'''        __asm__("ldr %[wa], [%[w]], #4\\n\\t"
                "ldr %[wb], [%[w]], #4\\n\\t"
                "sxtb16 %[wah], %[wa], ror #8\\n\\t"
                "sxtb16 %[wa], %[wa]\\n\\t"
                "sxtb16 %[wbh], %[wb], ror #8\\n\\t"
                "sxtb16 %[wb], %[wb]\\n\\t"
{mac}                : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [a20] "+r"(a20),
                  [a21] "+r"(a21), [x] "+r"(x), [w] "+r"(w), [wa] "=&r"(wa), [wah] "=&r"(wah), [wb] "=&r"(wb),
                  [wbh] "=&r"(wbh), [x0] "=&r"(x0), [x1] "=&r"(x1)
                :
                : "memory");
'''
    step = one * next(u for u in (4, 2, 1) if groups % u == 0)     # groups per iteration
    triples = t // 3 - (1 if t % 3 == 1 and t > 1 else 0)         # then pairs: t % 3 == 1 leaves 4 (2 pairs)
    # two pixels (slots 0, 1; slot 2 skipped): 6 loads back to back, 4 SXTB16, 8 SMLAD
    one2 = """        __asm__("ldr %[wa], [%[w]], #4\\n\\t"
                "ldr %[wb], [%[w]], #4\\n\\t"
                "ldr %[x0], [%[x]], #4\\n\\t"
                "ldr %[x1], [%[x]], #4\\n\\t"
                "ldr %[x2], [%[x]], #4\\n\\t"
                "ldr %[x3], [%[x]], #12\\n\\t"
                "sxtb16 %[t], %[wa], ror #8\\n\\t"
                "sxtb16 %[wa], %[wa]\\n\\t"
                "smlad %[a00], %[x0], %[wa], %[a00]\\n\\t"
                "smlad %[a10], %[x2], %[wa], %[a10]\\n\\t"
                "smlad %[a00], %[x1], %[t], %[a00]\\n\\t"
                "smlad %[a10], %[x3], %[t], %[a10]\\n\\t"
                "sxtb16 %[t], %[wb], ror #8\\n\\t"
                "sxtb16 %[wb], %[wb]\\n\\t"
                "smlad %[a01], %[x0], %[wb], %[a01]\\n\\t"
                "smlad %[a11], %[x2], %[wb], %[a11]\\n\\t"
                "smlad %[a01], %[x1], %[t], %[a01]\\n\\t"
                "smlad %[a11], %[x3], %[t], %[a11]"
                : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x] "+r"(x), [w] "+r"(w),
                  [wa] "=&r"(wa), [wb] "=&r"(wb), [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3),
                  [t] "=&r"(t)
                :
                : "memory");
"""
    step2 = one2 * next(u for u in (4, 2, 1) if groups % u == 0)
    # one pixel (slot 0; slots 1, 2 skipped): 4 loads back to back, 4 SXTB16, 4 SMLAD
    one1 = f"""        __asm__("ldr %[wa], [%[w]], #4\\n\\t"
                "ldr %[wb], [%[w]], #4\\n\\t"
                "ldr %[x0], [%[x]], #4\\n\\t"
                "ldr %[x1], [%[x]], #{8 * slots - 4}\\n\\t"
                "sxtb16 %[t], %[wa], ror #8\\n\\t"
                "sxtb16 %[wa], %[wa]\\n\\t"
                "smlad %[a00], %[x0], %[wa], %[a00]\\n\\t"
                "smlad %[a00], %[x1], %[t], %[a00]\\n\\t"
                "sxtb16 %[t], %[wb], ror #8\\n\\t"
                "sxtb16 %[wb], %[wb]\\n\\t"
                "smlad %[a01], %[x0], %[wb], %[a01]\\n\\t"
                "smlad %[a01], %[x1], %[t], %[a01]"
                : [a00] "+r"(a00), [a01] "+r"(a01), [x] "+r"(x), [w] "+r"(w), [wa] "=&r"(wa), [wb] "=&r"(wb),
                  [x0] "=&r"(x0), [x1] "=&r"(x1), [t] "=&r"(t)
                :
                : "memory");
"""
    step1 = one1 * next(u for u in (4, 2, 1) if groups % u == 0)
    # one pixel x two channel pairs (the second pair's words pair = 8 groups bytes on): 6 loads back to
    # back, 8 SXTB16, 8 SMLAD
    macs = "".join(f'''                "sxtb16 %[t], %[{v}], ror #8\\n\\t"
                "sxtb16 %[{v}], %[{v}]\\n\\t"
                "smlad %[{acc}], %[x0], %[{v}], %[{acc}]\\n\\t"
                "smlad %[{acc}], %[x1], %[t], %[{acc}]\\n\\t"
''' for v, acc in (("wa", "a2"), ("wb", "a3"), ("wc", "a1"), ("wd", "a0")))
    one4 = f'''        __asm__("ldr %[x0], [%[x]], #4\\n\\t"
                "ldr %[x1], [%[x]], #{8 * slots - 4}\\n\\t"
                "ldr %[wa], [%[w], #{pair}]\\n\\t"
                "ldr %[wb], [%[w], #{pair + 4}]\\n\\t"
                "ldr %[wc], [%[w], #4]\\n\\t"
                "ldr %[wd], [%[w]], #8\\n\\t"
{macs}                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w),
                  [wa] "=&r"(wa), [wb] "=&r"(wb), [wc] "=&r"(wc), [wd] "=&r"(wd), [x0] "=&r"(x0), [x1] "=&r"(x1),
                  [t] "=&r"(t)
                :
                : "memory");
'''
    step4 = one4 * next(u for u in (4, 2, 1) if groups % u == 0)
    outs = "".join(f"        const int8_t r{q}0 = {rq_call(rq, f'a{q}0', 'm0', 's0')}, "
                   f"r{q}1 = {rq_call(rq, f'a{q}1', 'm1', 's1')};\n" for q in range(3))
    stores = "".join(f"        y{q}[j] = r{q}0;\n        y{q}[j + 1] = r{q}1;\n" for q in range(3))
    dsp = f"""/* pixel x's patch into slot q (0..2) of the column (the slots interleaved group by group) */
static inline void {name}_widen(int32_t *col, const int8_t *x, int q) {{
    int32_t r, i;
{widen}}}
/* 3 pixels (column slots 0..2, outputs at y0..y2) x channels j, j + 1 (their pair's words at w) */
static inline __attribute__((always_inline)) void {name}_3x2(const int32_t *col, const int8_t *w, int8_t *y0,
        int8_t *y1, int8_t *y2, const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t j) {{
    int32_t a00 = bias[j], a01 = bias[j + 1], a10 = a00, a11 = a01, a20 = a00, a21 = a01;
    int32_t wa, wah, wb, wbh, x0, x1;
    const int32_t *x = col, *end = col + {2 * slots * groups};
    while (x != end) {{
{step}    }}
    {{
        /* the channels' constants read once for the 3 pixels, every result before the first store (an int8
         * store may alias them) */
        const int32_t m0 = mult[j], s0 = shift[j], m1 = mult[j + 1], s1 = shift[j + 1];
{outs}{stores}    }}
}}
/* 2 pixels (column slots 0, 1, outputs at y0, y1) x channels j, j + 1 (their pair's words at w) */
static inline __attribute__((always_inline)) void {name}_2x2(const int32_t *col, const int8_t *w, int8_t *y0,
        int8_t *y1, const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t j) {{
    int32_t a00 = bias[j], a01 = bias[j + 1], a10 = a00, a11 = a01;
    int32_t wa, wb, x0, x1, x2, x3, t;
    const int32_t *x = col, *end = col + {2 * slots * groups};
    while (x != end) {{
{step2}    }}
    {{
        const int32_t m0 = mult[j], s0 = shift[j], m1 = mult[j + 1], s1 = shift[j + 1];
        const int8_t r00 = {rq_call(rq, "a00", "m0", "s0")}, r10 = {rq_call(rq, "a10", "m0", "s0")};
        const int8_t r01 = {rq_call(rq, "a01", "m1", "s1")}, r11 = {rq_call(rq, "a11", "m1", "s1")};
        y0[j] = r00;
        y0[j + 1] = r01;
        y1[j] = r10;
        y1[j + 1] = r11;
    }}
}}
/* 1 pixel (column slot 0, outputs at y0) x channels j, j + 1 (their pair's words at w) */
static inline __attribute__((always_inline)) void {name}_1x2(const int32_t *col, const int8_t *w, int8_t *y0,
        const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t j) {{
    int32_t a00 = bias[j], a01 = bias[j + 1];
    int32_t wa, wb, x0, x1, t;
    const int32_t *x = col, *end = col + {2 * slots * groups};
    while (x != end) {{
{step1}    }}
    {{
        const int8_t r00 = {rq_call(rq, "a00", "mult[j]", "shift[j]")};
        const int8_t r01 = {rq_call(rq, "a01", "mult[j + 1]", "shift[j + 1]")};
        y0[j] = r00;
        y0[j + 1] = r01;
    }}
}}
/* 1 pixel (column slot 0, outputs at y0) x channels j..j + 3 (two pairs, the first's words at w) */
static inline __attribute__((always_inline)) void {name}_1x4(const int32_t *col, const int8_t *w, int8_t *y0,
        const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t j) {{
    int32_t a0 = bias[j], a1 = bias[j + 1], a2 = bias[j + 2], a3 = bias[j + 3];
    int32_t wa, wb, wc, wd, x0, x1, t;
    const int32_t *x = col, *end = col + {2 * slots * groups};
    while (x != end) {{
{step4}    }}
    {{
        const int8_t r0 = {rq_call(rq, "a0", "mult[j]", "shift[j]")};
        const int8_t r1 = {rq_call(rq, "a1", "mult[j + 1]", "shift[j + 1]")};
        const int8_t r2 = {rq_call(rq, "a2", "mult[j + 2]", "shift[j + 2]")};
        const int8_t r3 = {rq_call(rq, "a3", "mult[j + 3]", "shift[j + 3]")};
        y0[j] = r0;
        y0[j + 1] = r1;
        y0[j + 2] = r2;
        y0[j + 3] = r3;
    }}
}}
/* an odd last channel j0 (slot 0 of the last pair at w) against the 3 column slots, slot q's output at yq */
static inline void {name}_edge(const int32_t *col, const int8_t *w, int8_t *y0, int8_t *y1, int8_t *y2,
        const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t j0, int32_t np) {{
    int32_t g, q;
    int8_t *ys[3];
    ys[0] = y0;
    ys[1] = y1;
    ys[2] = y2;
    for (q = 0; q < np; ++q) {{
        int32_t a = bias[j0];
        for (g = 0; g < {groups}; ++g) {{
            const int32_t v = tinycc_tvm_ld4(w + 8 * g);
            a = __smlad(col[{2 * slots} * g + 2 * q], __sxtb16(v), a);
            a = __smlad(col[{2 * slots} * g + 2 * q + 1], tinycc_tvm_sxtb16_ror8(v), a);
        }}
        ys[q][j0] = {rq_call(rq, "a", "mult[j0]", "shift[j0]")};
    }}
}}
/* pixels p0, p1 (p0 == p1 allowed: its outputs written twice, the same bytes) */
static inline void {name}_pair(int32_t *col, const int8_t *a, const int8_t *b, int8_t *y, const int32_t *bias,
        const int32_t *mult, const int32_t *shift, int32_t p0, int32_t p1) {{
    int32_t j;
    {name}_widen(col, a + p0 * {sp}, 0);
    {name}_widen(col, a + p1 * {sp}, 1);
    for (j = 0; j + 2 <= {co}; j += 2)
        {name}_2x2(col, b + (j / 2) * {pair}, y + p0 * {co}, y + p1 * {co}, bias, mult, shift, j);
    if ({co} % 2)
        {name}_edge(col, b + ({co} / 2) * {pair}, y + p0 * {co}, y + p1 * {co}, y + p1 * {co}, bias, mult, shift,
                    {co} - 1, 2);
}}
/* pixel p0 alone */
static inline void {name}_one(int32_t *col, const int8_t *a, const int8_t *b, int8_t *y, const int32_t *bias,
        const int32_t *mult, const int32_t *shift, int32_t p0) {{
    int32_t j;
    {name}_widen(col, a + p0 * {sp}, 0);
    j = 0;
    if ({pair + 4} < 4096)          /* the second pair within LDR's immediate offset: 4 channels a block */
        for (; j + 4 <= {co}; j += 4) {name}_1x4(col, b + (j / 2) * {pair}, y + p0 * {co}, bias, mult, shift, j);
    for (; j + 2 <= {co}; j += 2) {name}_1x2(col, b + (j / 2) * {pair}, y + p0 * {co}, bias, mult, shift, j);
    if ({co} % 2)
        {name}_edge(col, b + ({co} / 2) * {pair}, y + p0 * {co}, y + p0 * {co}, y + p0 * {co}, bias, mult, shift,
                    {co} - 1, 1);
}}
/* pixels p0, p1, p2 */
static inline void {name}_pixels(int32_t *col, const int8_t *a, const int8_t *b, int8_t *y, const int32_t *bias,
        const int32_t *mult, const int32_t *shift, int32_t p0, int32_t p1, int32_t p2) {{
    int32_t j;
    {name}_widen(col, a + p0 * {sp}, 0);
    {name}_widen(col, a + p1 * {sp}, 1);
    {name}_widen(col, a + p2 * {sp}, 2);
    for (j = 0; j + 2 <= {co}; j += 2)
        {name}_3x2(col, b + (j / 2) * {pair}, y + p0 * {co}, y + p1 * {co}, y + p2 * {co}, bias, mult, shift, j);
    if ({co} % 2)
        {name}_edge(col, b + ({co} / 2) * {pair}, y + p0 * {co}, y + p1 * {co}, y + p2 * {co}, bias, mult, shift,
                    {co} - 1, 3);
}}
"""
    if t == 1:                          # a lone pixel (fully connected): 1 x 4 and 1 x 2 blocks
        calls = f"    p = 0;\n    {name}_one(col, a, b, y, bias, mult, shift, p);\n"
    else:                               # threes, then the 2 or 4 pixels left in pairs
        calls = (f"    for (p = 0; p + 3 <= {triples * 3}; p += 3) {name}_pixels(col, a, b, y, bias, mult, shift, p, "
                 f"p + 1, p + 2);\n    for (; p + 2 <= {t}; p += 2) {name}_pair(col, a, b, y, bias, mult, shift, p, "
                 "p + 1);\n")
    body = f"""static inline int32_t {name}(int8_t *a, int8_t *b, int8_t *y, int32_t *bias, int32_t *mult,
        int32_t *shift) {{
#ifdef TINYCC_TVM_DSP
    int32_t col[{2 * slots * groups}];
    int32_t p;
{calls}#else
    int32_t p, j, t;
    for (p = 0; p < {t}; ++p) {{
        for (j = 0; j < {co}; ++j) {{
            int32_t acc = bias[j];
            for (t = 0; t < {taps}; ++t)
                acc += (int32_t)a[p * {sp} + (t / {k}) * {sa} + t % {k}]
                    * b[(j / 2) * {pair} + (t / 4) * 8 + (j % 2) * 4 + t % 4];
            y[p * {co} + j] = {rq_call(rq, "acc", "mult[j]", "shift[j]")};
        }}
    }}
#endif
    return 0;
}}
"""
    return "#ifdef TINYCC_TVM_DSP\n" + dsp + "#endif\n" + body


DW_NAME = "tinycc_dw_s8_row"        # + the kernel size, layout and epilogue (dw_name)


def dw_name(kh: int, kw: int, row: int, tap: int, px: int, ow: int, co: int, rq: tuple) -> str:
    return f"tinycc_dw_s8_row_{kh}x{kw}_r{row}_t{tap}_p{px}_w{ow}_c{co}_{rq_tag(rq)}"


def dw_source(kh: int, kw: int, row: int, tap: int, px: int, ow: int, co: int, rq: tuple) -> str:
    """C source of dw_name(...)(a, b, y, bias, mult, shift): one output row of a depthwise convolution
    (depth multiplier 1, co a multiple of 4) with its epilogue fused: y[p * co + c] = rq(bias[c] + sum
    over taps (i, j) of a[p * px + i * row + j * tap + c] * b[(i * kw + j) * co + c]) for ow pixels p,
    every size and stride a compile-time constant. 4 channels at a time, the kh x kw taps unrolled
    (each tap one input and one weight word: SXTB16 both, SMLABB/SMLATT into the 4 sums, which start
    from the biases), then the 4 results; plain C without the DSP extension."""
    dsp = []
    for i in range(kh):
        for j in range(kw):
            xo, wo = i * row + j * tap, (i * kw + j) * co
            if max(xo, wo) < 4096:     # one tap in assembly: LDR's immediate offsets, no register spilled or
                dsp.append(            # load repeated (GCC's code of the C below rematerialised loads)
                    f'            __asm__("ldr %[t0], [%[x], #{xo}]\\n\\t"\n'
                    f'                    "ldr %[t1], [%[w], #{wo}]\\n\\t"\n'
                    '                    "sxtb16 %[t2], %[t0]\\n\\t"\n'
                    '                    "sxtb16 %[t3], %[t1]\\n\\t"\n'
                    '                    "smlabb %[c0], %[t2], %[t3], %[c0]\\n\\t"\n'
                    '                    "smlatt %[c2], %[t2], %[t3], %[c2]\\n\\t"\n'
                    '                    "sxtb16 %[t0], %[t0], ror #8\\n\\t"\n'
                    '                    "sxtb16 %[t1], %[t1], ror #8\\n\\t"\n'
                    '                    "smlabb %[c1], %[t0], %[t1], %[c1]\\n\\t"\n'
                    '                    "smlatt %[c3], %[t0], %[t1], %[c3]"\n'
                    '                    : [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3),\n'
                    '                      [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)\n'
                    '                    : [x] "r"(x), [w] "r"(w)\n'
                    '                    : "memory");\n')
                continue
            dsp.append(f"            {{\n                const int32_t x4 = tinycc_tvm_ld4(x + {xo}), "
                       f"w4 = tinycc_tvm_ld4(w + {wo});\n"
                       "                const int32_t xe = __sxtb16(x4), xo = tinycc_tvm_sxtb16_ror8(x4);\n"
                       "                const int32_t we = __sxtb16(w4), wo = tinycc_tvm_sxtb16_ror8(w4);\n"
                       "                c0 = __smlabb(xe, we, c0);\n                c2 = __smlatt(xe, we, c2);\n"
                       "                c1 = __smlabb(xo, wo, c1);\n                c3 = __smlatt(xo, wo, c3);\n"
                       "            }\n")
    # two pixels a block when every offset fits LDR's immediate: each weight word loaded and widened once
    # for both (8 sums, 2 pointers, 4 temporaries: 14 registers), the channels' constants read once
    two = max((i * row + j * tap + px for i in range(kh) for j in range(kw)), default=0) < 4096 \
        and (kh * kw - 1) * co < 4096
    pair = []
    for i in range(kh):
        for j in range(kw):
            xo, wo = i * row + j * tap, (i * kw + j) * co
            pair.append(
                f'            __asm__("ldr %[t1], [%[w], #{wo}]\\n\\t"\n'
                '                    "sxtb16 %[t2], %[t1], ror #8\\n\\t"\n'
                '                    "sxtb16 %[t1], %[t1]\\n\\t"\n'
                + "".join(f'                    "ldr %[t0], [%[x], #{xo + q * px}]\\n\\t"\n'
                          '                    "sxtb16 %[t3], %[t0]\\n\\t"\n'
                          f'                    "smlabb %[c{4 * q}], %[t3], %[t1], %[c{4 * q}]\\n\\t"\n'
                          f'                    "smlatt %[c{4 * q + 2}], %[t3], %[t1], %[c{4 * q + 2}]\\n\\t"\n'
                          '                    "sxtb16 %[t0], %[t0], ror #8\\n\\t"\n'
                          f'                    "smlabb %[c{4 * q + 1}], %[t0], %[t2], %[c{4 * q + 1}]\\n\\t"\n'
                          f'                    "smlatt %[c{4 * q + 3}], %[t0], %[t2], %[c{4 * q + 3}]\\n\\t"\n'
                          for q in range(2))
                + '                    : [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3), [c4] "+r"(c4),\n'
                '                      [c5] "+r"(c5), [c6] "+r"(c6), [c7] "+r"(c7), [t0] "=&r"(t0), [t1] "=&r"(t1),\n'
                '                      [t2] "=&r"(t2), [t3] "=&r"(t3)\n'
                '                    : [x] "r"(x), [w] "r"(w)\n'
                '                    : "memory");\n')
    pair_outs = "".join(
        f"            const int32_t m{q} = mult[c + {q}], s{q} = shift[c + {q}];\n"
        f"            const int8_t r{q} = {rq_call(rq, f'c{q}', f'm{q}', f's{q}')}, "
        f"r{q + 4} = {rq_call(rq, f'c{q + 4}', f'm{q}', f's{q}')};\n" for q in range(4))
    pair_block = (f"    for (p = 0; p + 2 <= {ow}; p += 2) {{\n"
                  f"        for (c = 0; c < {co}; c += 4) {{\n"
                  f"            const int8_t *x = a + p * {px} + c, *w = b + c;\n"
                  f"            int8_t *out = y + p * {co} + c;\n"
                  "            int32_t c0 = bias[c], c1 = bias[c + 1], c2 = bias[c + 2], c3 = bias[c + 3];\n"
                  "            int32_t c4 = c0, c5 = c1, c6 = c2, c7 = c3, t0, t1, t2, t3;\n"
                  + "".join(pair) + pair_outs
                  + "".join(f"            out[{q}] = r{q};\n" for q in range(4))
                  + "".join(f"            out[{co} + {q}] = r{q + 4};\n" for q in range(4))
                  + "        }\n    }\n") if two else "    p = 0;\n"
    taps = " + ".join(f"(int32_t)x[{i * row + j * tap} + q] * w[{(i * kw + j) * co} + q]"
                      for i in range(kh) for j in range(kw))
    outs = "".join(f"            const int8_t r{q} = {rq_call(rq, f'c{q}', f'mult[c + {q}]', f'shift[c + {q}]')};\n"
                   for q in range(4))
    return (f"static int32_t {dw_name(kh, kw, row, tap, px, ow, co, rq)}(int8_t *a, int8_t *b, int8_t *y,\n"
            "        int32_t *bias, int32_t *mult, int32_t *shift) {\n"
            "    int32_t p, c;\n"
            "#ifdef TINYCC_TVM_DSP\n"
            + pair_block +
            f"    for (; p < {ow}; ++p) {{\n"
            f"        for (c = 0; c < {co}; c += 4) {{\n"
            f"            const int8_t *x = a + p * {px} + c, *w = b + c;\n"
            f"            int8_t *out = y + p * {co} + c;\n"
            "            int32_t c0 = bias[c], c1 = bias[c + 1], c2 = bias[c + 2], c3 = bias[c + 3];\n"
            "            int32_t t0, t1, t2, t3;\n"
            + "".join(dsp) + outs
            + "            out[0] = r0;\n            out[1] = r1;\n            out[2] = r2;\n            out[3] = r3;\n"
            "        }\n    }\n"
            "#else\n"
            f"    for (p = 0; p < {ow}; ++p) {{\n"
            f"        for (c = 0; c < {co}; c += 4) {{\n"
            f"            const int8_t *x = a + p * {px} + c, *w = b + c;\n"
            f"            int8_t *out = y + p * {co} + c;\n"
            "            int32_t q;\n"
            "            for (q = 0; q < 4; ++q) {\n"
            f"                const int32_t acc = bias[c + q] + {taps};\n"
            f"                out[q] = {rq_call(rq, 'acc', 'mult[c + q]', 'shift[c + q]')};\n"
            "            }\n"
            "        }\n    }\n"
            "#endif\n"
            "    return 0;\n}\n")

"""The C micro-kernels TVM's tensorised int8 schedules call (backends/microtvm/dsp.py), shipped in
the generated library beside TVM's kernels: only those a model uses (each is `static`).

gemm_source: c[j] += sum over kernel rows r and i < k of a[r * sa + i] * w_r[j, i], one output pixel
against N output channels into N int32 accumulators, one call for all kernel rows. With the
Cortex-M DSP extension (__ARM_FEATURE_DSP) four int8 pairs are widened with SXTB16 (bytes 0,2 and,
rotated by 8, bytes 1,3: the same order on both sides, so the pairs meet) and multiplied-accumulated
two at a time with SMLAD, each widened input word reused by all N weight rows; elsewhere (and in
unoptimised builds, where the inline assembly gets no registers) plain C. dw_source: 4 channels of
one depthwise output pixel, the taps unrolled (SMLABB/SMLATT). PRELUDE: the padding copy
(tinycc_tvm_pad_copy) and the requantisation helpers of the epilogues (tinycc_tvm_requant*, TF Lite
Micro's MultiplyByQuantizedMultiplier exactly). int32 accumulation: the same sums as TF Lite
Micro's loops, in any order. The signatures are the prototypes TVM's C code generator declares for
the extern calls (non-const pointers, int32 result, always 0 for the kernels).
"""
from __future__ import annotations

import numpy as np

PRELUDE = """/* tinycc's micro-kernels for TVM's tensorised int8 schedules (SXTB16 + SMLAD with the DSP
 * extension, plain C elsewhere) */
#include <string.h>
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && defined(__OPTIMIZE__)
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
/* A padded input row's pixel (n channels at dst; last: its last channel, for TVM's region analysis):
 * copied when inside the input, else filled with the zero point (src is then a clamped, unread address) */
static inline int32_t tinycc_tvm_pad_copy(int8_t *dst, int8_t *last, int8_t *src, int32_t inside, int32_t n,
                                          int32_t zp) {
    int32_t i = 0;
    (void)last;
    if (inside) {
        for (; i + 4 <= n; i += 4) memcpy(dst + i, src + i, 4);     /* one LDR and one STR a word */
        for (; i < n; ++i) dst[i] = src[i];
    } else {
        const uint32_t fill = 0x01010101u * (uint8_t)zp;
        for (; i + 4 <= n; i += 4) {
            memcpy(dst + i, &fill, 4);
#ifdef TINYCC_TVM_DSP
            __asm__ volatile("" ::: "memory");   /* a loop of word stores, not a call of newlib's memset */
#endif
        }
        for (; i < n; ++i) dst[i] = (int8_t)zp;
    }
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
PAD_NAME = "tinycc_tvm_pad_copy"


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


def requant_name(shifts, mults) -> str:
    """The epilogue helper for prepare()'s per-channel shifts and multipliers (the _r variant when no
    channel shifts left and no multiplier is INT32_MIN)."""
    if all(int(v) <= 0 for v in shifts) and all(int(m) != -(1 << 31) for m in mults):
        return REQUANT_NAME + "_r"
    return REQUANT_NAME


def gemm_name(n: int, packed: bool, rows: int, sa: int, sb: int, k: int) -> str:
    return f"tinycc_gemm_s8_1x{n}{'_packed' if packed else ''}_r{rows}_a{sa}_b{sb}_k{k}"


UNROLL = 4                  # input words per loop iteration (when k / 4 is a multiple)


def gemm_source(n: int, packed: bool, rows: int, sa: int, sb: int, k: int) -> str:
    """C source of gemm_name(...)(a, _, b, _, c, _, _): c[j] += sum over r < rows, i < k of
    a[r * sa + i] * w_r[j, i] for N channels j, the weights of kernel row r at b + r * sb, laid out
    (k / 4, N, 4) when `packed` (N consecutive words per four inputs: k a multiple of 4), else (N, k).
    The strides are compile-time constants; rows and k come from the call (TVM passes the constants
    of the name, which tensorize checks), so gcc keeps the loops rolled once it inlines the kernel. The
    loop takes UNROLL input words an iteration, with compiler barriers between them (gcc would hoist
    every word's loads to the top and spill the accumulators). With the DSP extension each input word
    is widened once (SXTB16: bytes 0,2 and 1,3) and multiplied-accumulated against N weight words
    (SMLAD); elsewhere plain C."""
    words, tail = k // 4, k % 4
    if packed and tail:
        raise ValueError("packed weights need k a multiple of 4")
    chans = range(n)

    def word(x: str, w: str, i: str, pad: str) -> str:
        body = f"{pad}{{\n{pad}    const int32_t x4 = tinycc_tvm_ld4({x} + {i} * 4);\n"
        body += f"{pad}    const int32_t xe = __sxtb16(x4), xo = tinycc_tvm_sxtb16_ror8(x4);\n"
        for j in chans:
            off = f"{i} * {4 * n} + {4 * j}" if packed else f"{j * k} + {i} * 4"
            body += (f"{pad}    {{\n{pad}        const int32_t w = tinycc_tvm_ld4({w} + {off});\n"
                     f"{pad}        c{j} = __smlad(xe, __sxtb16(w), c{j});\n"
                     f"{pad}        c{j} = __smlad(xo, tinycc_tvm_sxtb16_ror8(w), c{j});\n{pad}    }}\n")
        return body + f"{pad}}}\n"

    def plain_w(j: int) -> str:
        return f"(i / 4) * {4 * n} + {4 * j} + i % 4" if packed else f"{j * k} + i"

    def tails(x: str, w: str, pad: str) -> str:
        return "".join(f"{pad}c{j} += (int32_t){x}[{4 * words + q}] * {w}[{j * k + 4 * words + q}];\n"
                       for q in range(tail) for j in chans)

    # the runtime bounds (the caller's constants once inlined): gcc keeps the loops rolled; the barriers
    # keep it from hoisting the loads of later words, which spills registers
    step = next(u for u in (UNROLL, 2, 1) if words % u == 0)
    barrier = "            __asm__ volatile(\"\" ::: \"memory\");   /* no loads hoisted: no spills */\n"
    body = barrier.join(word("x", "wr", f"(i + {u})", "            ") for u in range(step))
    dsp = (f"    for (r = 0; r < rows; ++r) {{\n        const int8_t *x = a + r * {sa}, *wr = b + r * {sb};\n"
           f"        for (i = 0; i < k / 4; i += {step}) {{\n{body}        }}\n"
           + tails("x", "wr", "        ") + "    }\n")
    plain = (f"    for (r = 0; r < {rows}; ++r) {{\n        const int8_t *x = a + r * {sa}, *w = b + r * {sb};\n"
             f"        for (i = 0; i < {k}; ++i) {{\n"
             + "".join(f"            c{j} += (int32_t)x[i] * w[{plain_w(j)}];\n" for j in chans) + "        }\n    }\n")
    accs = ", ".join(f"c{j} = c[{j}]" for j in chans)
    store = "".join(f"    c[{j}] = c{j};\n" for j in chans)
    return (f"static inline int32_t {gemm_name(n, packed, rows, sa, sb, k)}(int8_t *a, int32_t sa, int8_t *b,\n"
            f"        int32_t sb, int32_t *c, int32_t rows, int32_t k) {{\n    int32_t {accs};\n"
            "    int32_t r, i;\n    (void)sa;\n    (void)sb;\n    (void)rows;\n    (void)k;\n"
            f"#ifdef TINYCC_TVM_DSP\n{dsp}#else\n{plain}#endif\n{store}    return 0;\n}}\n")


DW_NAME = "tinycc_dw_s8_4"        # + the kernel size and layout (dw_name)


def dw_name(kh: int, kw: int, row: int, tap: int, co: int) -> str:
    return f"tinycc_dw_s8_4_{kh}x{kw}_r{row}_t{tap}_c{co}"


def dw_source(kh: int, kw: int, row: int, tap: int, co: int) -> str:
    """C source of a depthwise micro-kernel for one kernel size and layout (all known at compile
    time): 4 channels of one output pixel, the kh x kw taps unrolled with constant offsets (input
    tap (i, j) at i * row + j * tap, weights (kh, kw, co) at (i * kw + j) * co), no loop."""
    dsp, plain = [], []
    for i in range(kh):
        for j in range(kw):
            xo, wo = i * row + j * tap, (i * kw + j) * co
            dsp.append(f"    {{\n        const int32_t x4 = tinycc_tvm_ld4(a + {xo}), w4 = tinycc_tvm_ld4(b + {wo});\n"
                       "        const int32_t xe = __sxtb16(x4), xo = tinycc_tvm_sxtb16_ror8(x4);\n"
                       "        const int32_t we = __sxtb16(w4), wo = tinycc_tvm_sxtb16_ror8(w4);\n"
                       "        c0 = __smlabb(xe, we, c0);\n        c2 = __smlatt(xe, we, c2);\n"
                       "        c1 = __smlabb(xo, wo, c1);\n        c3 = __smlatt(xo, wo, c3);\n    }\n")
            plain.append("".join(f"    c{q} += (int32_t)a[{xo + q}] * b[{wo + q}];\n" for q in range(4)))
    return (f"static int32_t {dw_name(kh, kw, row, tap, co)}(int8_t *a, int32_t row, int32_t tap, int8_t *b,\n"
            "        int32_t brow, int32_t btap, int32_t *c, int32_t kh, int32_t kw) {\n"
            "    int32_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];\n"
            "    (void)row;\n    (void)tap;\n    (void)brow;\n    (void)btap;\n    (void)kh;\n    (void)kw;\n"
            "#ifdef TINYCC_TVM_DSP\n" + "".join(dsp) + "#else\n" + "".join(plain) + "#endif\n"
            "    c[0] = c0;\n    c[1] = c1;\n    c[2] = c2;\n    c[3] = c3;\n    return 0;\n}\n")

"""The C micro-kernels TVM's tensorised int8 schedules call (backends/microtvm/dsp.py), shipped in
the generated library beside TVM's kernels: only those a model uses (each is `static`).

tinycc_gemm_s8_1xN(a, sa, b, sb, c, sc, k): c[j] += sum_i a[i] * b[j * sb + i], i < k, j < N: one
row of int8 inputs against N rows of int8 weights into N int32 accumulators. With the Cortex-M
DSP extension (__ARM_FEATURE_DSP) four int8 pairs are widened with SXTB16 (bytes 0,2 and, rotated
by 8, bytes 1,3: the same order on both sides, so the pairs meet) and multiplied-accumulated two
at a time with SMLAD, each widened input word reused by all N weight rows; elsewhere (and in
unoptimised builds, where the inline assembly gets no registers) plain C. int32 accumulation:
the same sums as TF Lite Micro's loops, in any order. The signature is the prototype TVM's C
code generator declares for the extern call (non-const pointers, int32 result, always 0).
"""
from __future__ import annotations

PRELUDE = """/* tinycc's micro-kernels for TVM's tensorised int8 schedules (SXTB16 + SMLAD with the DSP
 * extension, plain C elsewhere) */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && defined(__OPTIMIZE__)
#include <arm_acle.h>
#include <string.h>
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
/* The int8 epilogue of TVM's DSP schedules, per output element: TF Lite Micro's
 * MultiplyByQuantizedMultiplier(acc, mult, shift) (the left shift wrapping, gemmlowp's
 * SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, as tinycc_mbqm of the c backend: for
 * ab < 0, trunc((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31), so one SMLAL and a shift),
 * + the output zero point, clamped to [lo, hi]. The _r variant is for right shifts only (shift <= 0)
 * and multipliers other than INT32_MIN (prepare()'s are in [2^30, 2^31) or 0): no branches. */
static inline int32_t tinycc_tvm_clamp(int32_t v, int32_t lo, int32_t hi) {
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
static inline int32_t tinycc_tvm_requant_r(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo,
                                           int32_t hi) {
    const int32_t high = (int32_t)(((int64_t)acc * (int64_t)mult + ((int64_t)1 << 30)) >> 31);
    return tinycc_tvm_clamp(tinycc_tvm_rdbpot(high, -shift) + zp, lo, hi);
}
"""
REQUANT_NAME = "tinycc_tvm_requant"


def requant_name(shifts, mults) -> str:
    """The epilogue helper for prepare()'s per-channel shifts and multipliers (the _r variant when no
    channel shifts left and no multiplier is INT32_MIN)."""
    if all(int(v) <= 0 for v in shifts) and all(int(m) != -(1 << 31) for m in mults):
        return REQUANT_NAME + "_r"
    return REQUANT_NAME


def gemm_name(n: int, packed: bool = False) -> str:
    return f"tinycc_gemm_s8_1x{n}" + ("_packed" if packed else "")


def gemm_packed_source(n: int) -> str:
    """C source of tinycc_gemm_s8_1xN_packed: the weights pre-packed as (k / 4, N, 4), so one pointer
    walks all N rows (N consecutive words per four inputs); k is a multiple of 4."""
    rows = range(n)
    accs = ", ".join(f"c{j} = c[{j}]" for j in rows)
    dsp = "".join(f"        {{\n            const int32_t w = tinycc_tvm_ld4(b + {4 * j});\n"
                  f"            c{j} = __smlad(xe, __sxtb16(w), c{j});\n"
                  f"            c{j} = __smlad(xo, tinycc_tvm_sxtb16_ror8(w), c{j});\n        }}\n" for j in rows)
    plain = "".join(f"        for (q = 0; q < 4; ++q) c{j} += (int32_t)a[i + q] * b[{4 * j} + q];\n" for j in rows)
    store = "".join(f"    c[{j}] = c{j};\n" for j in rows)
    return (f"static int32_t {gemm_name(n, True)}(int8_t *a, int32_t sa, int8_t *b, int32_t sb, int32_t *c,\n"
            f"                                     int32_t sc, int32_t k) {{\n    int32_t {accs}, i;\n"
            f"    (void)sa;\n    (void)sb;\n    (void)sc;\n"
            f"    for (i = 0; i < k; i += 4, b += {4 * n}) {{\n"
            f"#ifdef TINYCC_TVM_DSP\n        const int32_t x4 = tinycc_tvm_ld4(a + i);\n"
            f"        const int32_t xe = __sxtb16(x4), xo = tinycc_tvm_sxtb16_ror8(x4);\n{dsp}"
            f"#else\n        int32_t q;\n{plain}#endif\n    }}\n{store}    return 0;\n}}\n")


def gemm_source(n: int) -> str:
    """C source of tinycc_gemm_s8_1xN."""
    rows = range(n)
    decl = "".join(f"    int8_t *b{j} = b + {j} * sb;\n" for j in rows)
    accs = ", ".join(f"c{j} = c[{j}]" for j in rows)
    dsp = "".join(f"        {{\n            const int32_t w = tinycc_tvm_ld4(b{j} + i);\n"
                  f"            c{j} = __smlad(xe, __sxtb16(w), c{j});\n"
                  f"            c{j} = __smlad(xo, tinycc_tvm_sxtb16_ror8(w), c{j});\n        }}\n" for j in rows)
    plain = "".join(f"        c{j} += x * b{j}[i];\n" for j in rows)
    store = "".join(f"    c[{j}] = c{j};\n" for j in rows)
    return (f"static int32_t {gemm_name(n)}(int8_t *a, int32_t sa, int8_t *b, int32_t sb, int32_t *c, int32_t sc,\n"
            f"                              int32_t k) {{\n{decl}    int32_t {accs}, i = 0;\n"
            f"    (void)sa;\n    (void)sc;\n"
            f"#ifdef TINYCC_TVM_DSP\n    for (; i + 4 <= k; i += 4) {{\n"
            f"        const int32_t x4 = tinycc_tvm_ld4(a + i);\n"
            f"        const int32_t xe = __sxtb16(x4), xo = tinycc_tvm_sxtb16_ror8(x4);\n{dsp}    }}\n#endif\n"
            f"    for (; i < k; ++i) {{\n        const int32_t x = a[i];\n{plain}    }}\n{store}    return 0;\n}}\n")


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

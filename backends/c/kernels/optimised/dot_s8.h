/* int8 dot products for the fast int8 kernels: int32 accumulation, so every path gives the same
 * sums as TF Lite Micro's reference loops (integer addition is exact in any order). On a core
 * with the DSP extension (Cortex-M4/M7/M33) four int8 pairs are widened with SXTB16 and
 * multiplied-accumulated two at a time with SMLAD; elsewhere plain C. An unoptimised (-O0, debug)
 * build takes the plain C paths too: without register allocation the DSP kernels' inline
 * assembly cannot be given the registers it asks for. Nor does a build defining TINYCC_NO_ASM (every
 * assembly and DSP guard of the kernels tests it): -fno-omit-frame-pointer takes r7, and the widest
 * blocks (14 registers) then have "impossible constraints"; no compiler macro tells that flag. */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && defined(__OPTIMIZE__) && !defined(TINYCC_NO_ASM)
#include <arm_acle.h>
#include <string.h>
#define TINYCC_DSP 1
static inline int32_t tinycc_ld4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);   /* one LDR: the Cortex-M4 loads unaligned words */
    return v;
}
static inline int32_t tinycc_ror8(int32_t v) {
    return (int32_t)(((uint32_t)v >> 8) | ((uint32_t)v << 24));
}
/* bytes 1 and 3 of v sign-extended to two int16 halves: one SXTB16 with its rotation */
static inline int32_t tinycc_sxtb16_ror8(int32_t v) {
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
/* the low halves of a and b as (a's, b's) and the high halves as (a's, b's), low half first: PKHBT, PKHTB
 * (GCC takes 3 and 4 instructions for the shifts and masks) */
static inline uint32_t tinycc_pk_lo(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
static inline uint32_t tinycc_pk_hi(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
#endif

/* acc + sum f[i] * x[i], i < n */
static inline int32_t tinycc_dot_s8(const int8_t *f, const int8_t *x, int n, int32_t acc) {
#ifdef TINYCC_MVE
    return tinycc_mve_dot_s8(f, x, n, acc);
#endif
    int i = 0;
#ifdef TINYCC_DSP
    for (; i + 4 <= n; i += 4) {
        const int32_t a = tinycc_ld4(x + i), b = tinycc_ld4(f + i);
        acc = __smlad(__sxtb16(a), __sxtb16(b), acc);
        acc = __smlad(__sxtb16(tinycc_ror8(a)), __sxtb16(tinycc_ror8(b)), acc);
    }
#endif
    for (; i < n; ++i) acc += (int32_t)f[i] * x[i];
    return acc;
}

/* acc + sum f[i], i < n */
static inline int32_t tinycc_sum_s8(const int8_t *f, int n, int32_t acc) {
#ifdef TINYCC_MVE
    return tinycc_mve_sum_s8(f, n, acc);
#endif
    int i = 0;
#ifdef TINYCC_DSP
    for (; i + 4 <= n; i += 4) {
        const int32_t b = tinycc_ld4(f + i);
        acc = __smlad(__sxtb16(b), 0x00010001, acc);
        acc = __smlad(__sxtb16(tinycc_ror8(b)), 0x00010001, acc);
    }
#endif
    for (; i < n; ++i) acc += f[i];
    return acc;
}

/* two inputs x0, x1 against two filters f0, f1: acc[0] += f0.x0, acc[1] += f1.x0,
 * acc[2] += f0.x1, acc[3] += f1.x1 */
static inline void tinycc_dot_s8_2x2(const int8_t *f0, const int8_t *f1, const int8_t *x0, const int8_t *x1,
                                     int n, int32_t *acc) {
#ifdef TINYCC_MVE
    tinycc_mve_dot_s8_2x2(f0, f1, x0, x1, n, acc);
    return;
#endif
    int32_t a00 = acc[0], a10 = acc[1], a01 = acc[2], a11 = acc[3];
    int i = 0;
#ifdef TINYCC_DSP
    for (; i + 4 <= n; i += 4) {
        const int32_t xa = tinycc_ld4(x0 + i), xb = tinycc_ld4(x1 + i);
        const int32_t fa = tinycc_ld4(f0 + i), fb = tinycc_ld4(f1 + i);
        const int32_t xa_e = __sxtb16(xa), xa_o = __sxtb16(tinycc_ror8(xa));
        const int32_t xb_e = __sxtb16(xb), xb_o = __sxtb16(tinycc_ror8(xb));
        const int32_t fa_e = __sxtb16(fa), fa_o = __sxtb16(tinycc_ror8(fa));
        const int32_t fb_e = __sxtb16(fb), fb_o = __sxtb16(tinycc_ror8(fb));
        a00 = __smlad(xa_e, fa_e, a00);
        a00 = __smlad(xa_o, fa_o, a00);
        a10 = __smlad(xa_e, fb_e, a10);
        a10 = __smlad(xa_o, fb_o, a10);
        a01 = __smlad(xb_e, fa_e, a01);
        a01 = __smlad(xb_o, fa_o, a01);
        a11 = __smlad(xb_e, fb_e, a11);
        a11 = __smlad(xb_o, fb_o, a11);
    }
#endif
    for (; i < n; ++i) {
        const int32_t xa = x0[i], xb = x1[i], fa = f0[i], fb = f1[i];
        a00 += fa * xa;
        a10 += fb * xa;
        a01 += fa * xb;
        a11 += fb * xb;
    }
    acc[0] = a00;
    acc[1] = a10;
    acc[2] = a01;
    acc[3] = a11;
}

/* one input x against two filters f0, f1 */
static inline void tinycc_dot_s8_1x2(const int8_t *f0, const int8_t *f1, const int8_t *x, int n, int32_t *acc) {
#ifdef TINYCC_MVE
    tinycc_mve_dot_s8_1x2(f0, f1, x, n, acc);
    return;
#endif
    int32_t a0 = acc[0], a1 = acc[1];
    int i = 0;
#ifdef TINYCC_DSP
    for (; i + 4 <= n; i += 4) {
        const int32_t xa = tinycc_ld4(x + i), fa = tinycc_ld4(f0 + i), fb = tinycc_ld4(f1 + i);
        const int32_t x_e = __sxtb16(xa), x_o = __sxtb16(tinycc_ror8(xa));
        a0 = __smlad(x_e, __sxtb16(fa), a0);
        a0 = __smlad(x_o, __sxtb16(tinycc_ror8(fa)), a0);
        a1 = __smlad(x_e, __sxtb16(fb), a1);
        a1 = __smlad(x_o, __sxtb16(tinycc_ror8(fb)), a1);
    }
#endif
    for (; i < n; ++i) {
        a0 += (int32_t)f0[i] * x[i];
        a1 += (int32_t)f1[i] * x[i];
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* TFLM's MultiplyByQuantizedMultiplier(acc, mult, shift) exactly, unclamped, for the non-negative
 * multipliers QuantizeMultiplier gives (SRDHM's one saturating case, INT32_MIN * INT32_MIN, cannot
 * occur; the emitters check): SRDHM as one 64-bit multiply-add, and RoundingDivideByPOT as
 * floor(x / 2^right) + (remainder >= 2^(right-1) + (x < 0)) without branches. Always inlined (GCC 12
 * compiled its callers otherwise differently: 1,264 more instructions in the MLPerf KWS
 * model's depthwise layers on a Cortex-M4). */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline int32_t tinycc_mbqm_nn(int32_t acc, int32_t mult, int32_t shift) {
    const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    const int32_t x = (int32_t)(((int64_t)(int32_t)((uint32_t)acc << left) * mult + ((int64_t)1 << 30)) >> 31);
    const uint32_t mask = ((uint32_t)1 << right) - 1u, half = (mask + 1u) >> 1;   /* 2^(right-1), 0 */
    return (x >> right) + (int32_t)((((uint32_t)x & mask) + half - (uint32_t)(x < 0 && right)) >> right);
}

/* TFLM's int8 requantisation of one accumulator (tinycc_mbqm_nn), plus the zero point, clamped */
static inline int8_t tinycc_requant_s8(int32_t acc, int32_t mult, int32_t shift, int32_t out_zp,
                                       int32_t act_min, int32_t act_max) {
    return (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm_nn(acc, mult, shift), out_zp), act_min, act_max);
}

/* Output columns whose taps lie inside the input horizontally: [*ox0, returned ox1) */
static inline int tinycc_interior_cols(int ow, int sw, int pad_l, int kw, int w, int *ox0) {
    int a = 0, b;
    while (a < ow && a * sw - pad_l < 0) ++a;
    b = a;
    while (b < ow && b * sw - pad_l + kw <= w) ++b;
    *ox0 = a;
    return b;
}

#if defined(TINYCC_V6M_ASM)
/* ARMv6-M has no 32x32 -> 64 multiply (GCC calls __aeabi_lmul for an int64 product): the high word of
 * adj 2^32 + acc m + (acc < 0 ? 0xc0000000 : 0x40000000), the one-multiply requantisations of the
 * depthwise (tinycc_dw_rq) and fully connected (tinycc_fc_mul) kernels, in 24 16-bit Thumb instructions:
 * Hacker's Delight's mulhs from 16-bit halves (common/mulhs_v6m.h), the constant's low word added to the
 * product's (its carry, out of u_lo 2^16: ll_lo adds none) with adj by ADCS. GCC's code of the same steps
 * in C took about 36. */
static inline int32_t tinycc_mulhi_k_v6m(int32_t acc, int32_t m, int32_t adj) {
    int32_t a, al, bl, t;
    __asm__(TINYCC_MULHS_V6M_ASM
            "asrs %[t], %[acc], #31\n\t"
            "adds %[t], %[t], %[t]\n\t"
            "adds %[t], #1\n\t"
            "lsls %[t], %[t], #30\n\t"        /* k: 0x40000000, or 0xc0000000 when acc < 0 */
            "lsls %[al], %[al], #16\n\t"
            "adds %[al], %[al], %[t]\n\t"     /* the carry of u_lo 2^16 + k */
            "adcs %[b], %[b], %[adj]"
            : [a] "=&l"(a), [al] "=&l"(al), [bl] "=&l"(bl), [t] "=&l"(t), [b] "+l"(m)
            : [acc] "l"(acc), [adj] "l"(adj)
            : "cc");
    return m;
}
#endif

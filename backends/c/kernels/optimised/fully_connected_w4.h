/* Fast int8 fully connected on weights re-laid at compile time (ops/fully_connected.py; weights
 * zero point 0; needs dot_s8.h): units in blocks of four, each block's rows interleaved a word at
 * a time, w4[(b * chunks + c) * 4 + j] holding w[4b + j][4c .. 4c + 3] with byte k in bits
 * 8k .. 8k + 7 (zeros past `depth`), chunks = ceil(depth / 4); a last block of one or two units is
 * two rows wide (the second zeros for one unit), of three four wide (the fourth zeros). One pass
 * over the input serves the block: each input word is loaded and widened once, the block's weight
 * words follow each other (LDRD). `kbias` (padded with zeros to a multiple of four units) is
 * bias - in_zp * sum(w) folded at compile time. */
static inline int32_t tinycc_fc_byte(int32_t word, int k) {
    return (int32_t)(((uint32_t)word >> (8 * k)) & 0xFFu) - (int32_t)((((uint32_t)word >> (8 * k)) & 0x80u) << 1);
}


#if defined(__GNUC__)          /* one copy of the loops for all layers */
#define TINYCC_FC_OUTLINED static __attribute__((noinline, unused))
#define TINYCC_FC_INLINE __attribute__((always_inline))
#else
#define TINYCC_FC_OUTLINED static
#define TINYCC_FC_INLINE
#endif

/* The assembly reads input words little-endian, as the weight words are packed. */
#if defined(TINYCC_DSP) && !defined(__ARM_BIG_ENDIAN)
#define TINYCC_FC_DSP 1
#endif
#ifdef TINYCC_FC_DSP
/* One 4-byte chunk of the input against the block's four weight words (fully_connected.h layout):
 * the input word and the four weight words loaded back to back (each load pipelines after the one
 * before: 6 cycles where LDR and two LDRD take 8), the input widened once (SXTB16, SXTB16 ROR #8),
 * each weight word widened in place by the same pair, two SMLADs per unit: 21 instructions for 16
 * MACs. */
#define TINYCC_FC_CHUNK \
    "ldr    %[xo], [%[x]], #4\n\t" \
    "ldr    %[w0], [%[w]], #4\n\t" \
    "ldr    %[w1], [%[w]], #4\n\t" \
    "ldr    %[w2], [%[w]], #4\n\t" \
    "ldr    %[w3], [%[w]], #4\n\t" \
    "sxtb16 %[xe], %[xo]\n\t" \
    "sxtb16 %[xo], %[xo], ror #8\n\t" \
    "sxtb16 %[t], %[w0], ror #8\n\t" \
    "sxtb16 %[w0], %[w0]\n\t" \
    "smlad  %[a0], %[xe], %[w0], %[a0]\n\t" \
    "smlad  %[a0], %[xo], %[t], %[a0]\n\t" \
    "sxtb16 %[t], %[w1], ror #8\n\t" \
    "sxtb16 %[w1], %[w1]\n\t" \
    "smlad  %[a1], %[xe], %[w1], %[a1]\n\t" \
    "smlad  %[a1], %[xo], %[t], %[a1]\n\t" \
    "sxtb16 %[t], %[w2], ror #8\n\t" \
    "sxtb16 %[w2], %[w2]\n\t" \
    "smlad  %[a2], %[xe], %[w2], %[a2]\n\t" \
    "smlad  %[a2], %[xo], %[t], %[a2]\n\t" \
    "sxtb16 %[t], %[w3], ror #8\n\t" \
    "sxtb16 %[w3], %[w3]\n\t" \
    "smlad  %[a3], %[xe], %[w3], %[a3]\n\t" \
    "smlad  %[a3], %[xo], %[t], %[a3]\n\t"
#define TINYCC_FC_CHUNK2 \
    "ldr    %[xo], [%[x]], #4\n\t" \
    "ldr    %[w0], [%[w]], #4\n\t" \
    "ldr    %[w1], [%[w]], #4\n\t" \
    "sxtb16 %[xe], %[xo]\n\t" \
    "sxtb16 %[xo], %[xo], ror #8\n\t" \
    "sxtb16 %[t], %[w0], ror #8\n\t" \
    "sxtb16 %[w0], %[w0]\n\t" \
    "smlad  %[a0], %[xe], %[w0], %[a0]\n\t" \
    "smlad  %[a0], %[xo], %[t], %[a0]\n\t" \
    "sxtb16 %[w0], %[w1], ror #8\n\t" \
    "sxtb16 %[w1], %[w1]\n\t" \
    "smlad  %[a1], %[xe], %[w1], %[a1]\n\t" \
    "smlad  %[a1], %[xo], %[w0], %[a1]\n\t"
#define TINYCC_FC_OPERANDS4 \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w), \
      [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [t] "=&r"(t)
#define TINYCC_FC_OPERANDS \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w), \
      [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)
/* the last n (1..3) input bytes at x as a word, never read past them */
static inline TINYCC_FC_INLINE int32_t tinycc_fc_last_word(const int8_t *x, int n) {
    uint32_t v = 0;
    int i;
    for (i = 0; i < n; ++i) v |= (uint32_t)(uint8_t)x[i] << (8 * i);
    return (int32_t)v;
}
/* acc + the four products of a packed weight word w and an input word's even and odd bytes (both
 * helpers always inlined: GCC 12 otherwise compiled svdf_fast.h's blocks in 96 more instructions) */
static inline TINYCC_FC_INLINE int32_t tinycc_fc_mac_word(int32_t acc, int32_t xe, int32_t xo, int32_t w) {
    return __smlad(xo, __sxtb16(tinycc_ror8(w)), __smlad(xe, __sxtb16(w), acc));
}
#endif

#if !defined(TINYCC_FC_DSP) && TINYCC_VEC
#include <string.h>
/* Plain C, vector shape (common/vec.h): a 4-byte chunk of the input copied n times into xr (n = 4 or 2) in the order of a packed weight
 * word's bytes in memory, so that byte k of the block's n words lines up with xr[k]: the fixed-trip
 * multiply-accumulate loops over 16 (8) bytes that compilers vectorise at -O2 (GCC: one broadcast) */
static inline void tinycc_fc_repeat(int8_t *xr, const int8_t *x, int n) {
    int j;
    int8_t v[4];
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v[0] = x[3], v[1] = x[2], v[2] = x[1], v[3] = x[0];
#else
    memcpy(v, x, 4);
#endif
    for (j = 0; j < n; ++j) memcpy(xr + 4 * j, v, 4);
}
#endif

/* acc[j] += the block's unit j . x; returns the next block's weights */
static inline TINYCC_FC_INLINE const int32_t *tinycc_fc_dot4(const int32_t *w, const int8_t *x, int depth, int32_t *acc) {
#ifdef TINYCC_FC_MVE
    return tinycc_mve_fc_dot4(w, x, depth, acc);    /* mve_fc.h */
#endif
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#ifdef TINYCC_FC_DSP
    int32_t xe, xo, w0, w1, w2, w3, t;
    const int8_t *const x32 = x + (depth & ~31), *const x4 = x + (depth & ~3);
    if (x != x32)        /* thirty-two bytes a turn */
        __asm__("1:\n\t" TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK
                TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK
                "cmp    %[x], %[end]\n\t"
                "bne    1b\n\t"
                TINYCC_FC_OPERANDS4 : [end] "r"(x32) : "cc", "memory");
    if (depth & 16)
        __asm__(TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_OPERANDS4 : : "memory");
    while (x != x4) __asm__(TINYCC_FC_CHUNK TINYCC_FC_OPERANDS4 : : "memory");
    if (depth & 3) {      /* the last bytes, never read past the input */
        const int32_t v = tinycc_fc_last_word(x, depth & 3);
        xe = __sxtb16(v), xo = __sxtb16(tinycc_ror8(v));
        a0 = tinycc_fc_mac_word(a0, xe, xo, w[0]);
        a1 = tinycc_fc_mac_word(a1, xe, xo, w[1]);
        a2 = tinycc_fc_mac_word(a2, xe, xo, w[2]);
        a3 = tinycc_fc_mac_word(a3, xe, xo, w[3]);
        w += 4;
    }
#elif TINYCC_VEC
    int d, k;
    int32_t s[16];
    int8_t xr[16];
    for (k = 0; k < 16; ++k) s[k] = 0;
    for (d = 0; d + 4 <= depth; d += 4, w += 4) {     /* lane k: unit k / 4 */
        const int8_t *wb = (const int8_t *)(const void *)w;
        tinycc_fc_repeat(xr, x + d, 4);
        for (k = 0; k < 16; ++k) s[k] += (int32_t)wb[k] * xr[k];
    }
    for (k = 0; k < 4; ++k) {
        a0 += s[k];
        a1 += s[4 + k];
        a2 += s[8 + k];
        a3 += s[12 + k];
    }
    if (d < depth) {      /* the last bytes, never read past the input */
        for (k = 0; d + k < depth; ++k) {
            const int32_t xv = x[d + k];
            a0 += tinycc_fc_byte(w[0], k) * xv;
            a1 += tinycc_fc_byte(w[1], k) * xv;
            a2 += tinycc_fc_byte(w[2], k) * xv;
            a3 += tinycc_fc_byte(w[3], k) * xv;
        }
        w += 4;
    }
#elif defined(TINYCC_V6M_ASM) && !defined(__OPTIMIZE_SIZE__)
    /* ARMv6-M: 18 instructions a byte of input against the block's four units (the input byte and
     * four weight bytes loaded and sign-extended, four MULS, four ADDs to accumulators in high
     * registers), four bytes a turn; the last depth % 4 bytes in C */
    int k;
    const int8_t *const x4 = x + (depth & ~3);
    int32_t xv, t;
    if (x != x4)
        __asm__ volatile(
            ".syntax unified\n"
            "1:\n\t"
            "ldrb %[xv], [%[x], #0]\n\t"
            "sxtb %[xv], %[xv]\n\t"
            "ldrb %[t], [%[w], #0]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a0], %[t]\n\t"
            "ldrb %[t], [%[w], #4]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a1], %[t]\n\t"
            "ldrb %[t], [%[w], #8]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a2], %[t]\n\t"
            "ldrb %[t], [%[w], #12]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a3], %[t]\n\t"
            "ldrb %[xv], [%[x], #1]\n\t"
            "sxtb %[xv], %[xv]\n\t"
            "ldrb %[t], [%[w], #1]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a0], %[t]\n\t"
            "ldrb %[t], [%[w], #5]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a1], %[t]\n\t"
            "ldrb %[t], [%[w], #9]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a2], %[t]\n\t"
            "ldrb %[t], [%[w], #13]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a3], %[t]\n\t"
            "ldrb %[xv], [%[x], #2]\n\t"
            "sxtb %[xv], %[xv]\n\t"
            "ldrb %[t], [%[w], #2]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a0], %[t]\n\t"
            "ldrb %[t], [%[w], #6]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a1], %[t]\n\t"
            "ldrb %[t], [%[w], #10]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a2], %[t]\n\t"
            "ldrb %[t], [%[w], #14]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a3], %[t]\n\t"
            "ldrb %[xv], [%[x], #3]\n\t"
            "sxtb %[xv], %[xv]\n\t"
            "ldrb %[t], [%[w], #3]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a0], %[t]\n\t"
            "ldrb %[t], [%[w], #7]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a1], %[t]\n\t"
            "ldrb %[t], [%[w], #11]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a2], %[t]\n\t"
            "ldrb %[t], [%[w], #15]\n\t"
            "sxtb %[t], %[t]\n\t"
            "muls %[t], %[xv], %[t]\n\t"
            "add %[a3], %[t]\n\t"
            "adds %[w], #16\n\t"
            "adds %[x], #4\n\t"
            "cmp %[x], %[end]\n\t"
            "bne 1b\n\t"
            : [a0] "+h"(a0), [a1] "+h"(a1), [a2] "+h"(a2), [a3] "+h"(a3), [w] "+l"(w), [x] "+l"(x),
              [xv] "=&l"(xv), [t] "=&l"(t)
            : [end] "h"(x4)
            : "cc", "memory");
    if (depth & 3) {
        for (k = 0; k < (depth & 3); ++k) {
            xv = x[k];
            a0 += tinycc_fc_byte(w[0], k) * xv;
            a1 += tinycc_fc_byte(w[1], k) * xv;
            a2 += tinycc_fc_byte(w[2], k) * xv;
            a3 += tinycc_fc_byte(w[3], k) * xv;
        }
        w += 4;
    }
#else
    int d, k;
    for (d = 0; d < depth; d += 4, w += 4)
        for (k = 0; k < 4 && d + k < depth; ++k) {
            const int32_t xv = x[d + k];
            a0 += tinycc_fc_byte(w[0], k) * xv;
            a1 += tinycc_fc_byte(w[1], k) * xv;
            a2 += tinycc_fc_byte(w[2], k) * xv;
            a3 += tinycc_fc_byte(w[3], k) * xv;
        }
#endif
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
    return w;
}

/* acc[j] += unit j . x for a last block two rows wide; returns the weights past it */
static inline TINYCC_FC_INLINE const int32_t *tinycc_fc_dot2(const int32_t *w, const int8_t *x, int depth, int32_t *acc) {
#ifdef TINYCC_FC_MVE
    return tinycc_mve_fc_dot2(w, x, depth, acc);    /* mve_fc.h */
#endif
    int32_t a0 = acc[0], a1 = acc[1];
#ifdef TINYCC_FC_DSP
    int32_t a2 = 0, a3 = 0, xe, xo, w0, w1, t;     /* a2, a3: unused operands of the shared list */
    const int8_t *const x4 = x + (depth & ~3);
    while (x != x4) __asm__(TINYCC_FC_CHUNK2 TINYCC_FC_OPERANDS : : "memory");
    (void)a2, (void)a3;
    if (depth & 3) {
        const int32_t v = tinycc_fc_last_word(x, depth & 3);
        xe = __sxtb16(v), xo = __sxtb16(tinycc_ror8(v));
        a0 = tinycc_fc_mac_word(a0, xe, xo, w[0]);
        a1 = tinycc_fc_mac_word(a1, xe, xo, w[1]);
        w += 2;
    }
#elif TINYCC_VEC
    int d, k;
    int32_t s[8];
    int8_t xr[8];
    for (k = 0; k < 8; ++k) s[k] = 0;
    for (d = 0; d + 4 <= depth; d += 4, w += 2) {
        const int8_t *wb = (const int8_t *)(const void *)w;
        tinycc_fc_repeat(xr, x + d, 2);
        for (k = 0; k < 8; ++k) s[k] += (int32_t)wb[k] * xr[k];
    }
    for (k = 0; k < 4; ++k) {
        a0 += s[k];
        a1 += s[4 + k];
    }
    if (d < depth) {
        for (k = 0; d + k < depth; ++k) {
            const int32_t xv = x[d + k];
            a0 += tinycc_fc_byte(w[0], k) * xv;
            a1 += tinycc_fc_byte(w[1], k) * xv;
        }
        w += 2;
    }
#else
    int d, k;
    for (d = 0; d < depth; d += 4, w += 2)
        for (k = 0; k < 4 && d + k < depth; ++k) {
            const int32_t xv = x[d + k];
            a0 += tinycc_fc_byte(w[0], k) * xv;
            a1 += tinycc_fc_byte(w[1], k) * xv;
        }
#endif
    acc[0] = a0, acc[1] = a1;
    return w;
}

/* One output: mode 0 TFLM's requantisation through tinycc_requant_s8 (rq = {mult, shift, 0}); modes 1
 * and 2 for a non-negative multiplier m and a right shift 2 <= r <= 23 (rq = {m, h, r - 1},
 * h = 2^(r-2) + out_zp 2^(r-1)), exactly the same values with one 64-bit multiply-add and one shift:
 * SRDHM is floor((acc m + 2^30) / 2^31), RoundingDivideByPOT floor((x + 2^(r-1) - [x < 0]) / 2^r), and
 * floors nest, so the two roundings and the zero point are
 * floor((acc m + 2^30 + 2^(30+r) - [acc < 0] 2^31 + out_zp 2^(31+r)) / 2^(31+r)) ([x < 0] = [acc < 0]
 * but where x = 0, and there the sum less the zero point term stays in [0, 2^(31+r)) either way);
 * the constant's high word is h - [acc < 0], its low word 2^30 + [acc < 0] 2^31, and with r <= 23
 * the sum stays inside int64. Mode 2 saturates to int8 (the activation range is all of it). */
static inline int32_t tinycc_fc_mul(int32_t acc, int32_t m, int32_t h, int32_t rm1) {
#if defined(TINYCC_V6M_ASM)
    return tinycc_mulhi_k_v6m(acc, m, h + (acc >> 31)) >> rm1;   /* no __aeabi_lmul (dot_s8.h) */
#else
    const int64_t k = (int64_t)(h + (acc >> 31)) * ((int64_t)1 << 32) +
                      (int64_t)(0x40000000u | ((uint32_t)acc & 0x80000000u));
    return (int32_t)((k + (int64_t)acc * m) >> 32) >> rm1;
#endif
}

static inline int8_t tinycc_fc_out(int32_t acc, const int32_t *rq, int mode, int32_t out_zp, int32_t act_min,
                                   int32_t act_max) {
    if (mode == 0) return tinycc_requant_s8(acc, rq[0], rq[1], out_zp, act_min, act_max);
    return (int8_t)tinycc_clamp(tinycc_fc_mul(acc, rq[0], rq[1], rq[2]), act_min, act_max);
}

static inline int8_t tinycc_fc_sat8(int32_t v) {
#ifdef TINYCC_FC_DSP
    return (int8_t)__ssat(v, 8);
#else
    return (int8_t)tinycc_clamp(v, -128, 127);
#endif
}

/* the block's n <= 4 outputs */
static inline void tinycc_fc_store(int8_t *o, const int32_t *acc, int n, int32_t out_zp, const int32_t *rq,
                                   int rq_step, int mode, int32_t act_min, int32_t act_max) {
    int j;
    if (mode == 2) {          /* one multiplier for all units, loaded before the stores */
        const int32_t m = rq[0], h = rq[1], rm1 = rq[2];
        const int8_t v0 = tinycc_fc_sat8(tinycc_fc_mul(acc[0], m, h, rm1));
        const int8_t v1 = tinycc_fc_sat8(tinycc_fc_mul(acc[1], m, h, rm1));
        const int8_t v2 = tinycc_fc_sat8(tinycc_fc_mul(acc[2], m, h, rm1));
        const int8_t v3 = tinycc_fc_sat8(tinycc_fc_mul(acc[3], m, h, rm1));
        o[0] = v0;
        if (n > 1) o[1] = v1;
        if (n > 2) o[2] = v2;
        if (n > 3) o[3] = v3;
    } else {
        for (j = 0; j < n; ++j, rq += rq_step) o[j] = tinycc_fc_out(acc[j], rq, mode, out_zp, act_min, act_max);
    }
}

/* Not under Helium: the M55 has the DSP extension too, and its MVE blocks (tinycc_fc_dot4, mve_fc.h) beat
 * this loop about 5x in instructions; the row assembly would take every mode-2 layer from them. */
#if defined(TINYCC_FC_DSP) && defined(__thumb2__) && !defined(TINYCC_FC_MVE)
#define TINYCC_FC_ASM 1
/* One row of mode 2 (one multiplier, saturation only) with units and depth multiples of 4 in one
 * assembly loop over the blocks: each block's folded biases (four loads back to back), its chunks
 * (TINYCC_FC_CHUNK, 23 32-bit instructions, 92 bytes: eight a turn, the loop entered chunks mod 8
 * early by a computed jump into its body), then its four outputs as tinycc_fc_mul: ASR, ORR, ADD,
 * SMLAL, ASR, SSAT, STRB each. The block count, the entry address and the pointers the loop
 * advances (folded biases, output) wait in 40 bytes the assembly takes below the stack pointer (and
 * gives back) with the row's constants, none of them reloaded by C code around each block (where
 * the chunks' 14 registers leave the compiler none to keep them in). Returns w past the row's
 * blocks. */
static inline const int32_t *tinycc_fc_row_asm(int units, int depth, const int8_t *in, const int32_t *w,
                                               const int32_t *kbias, int8_t *out, const int32_t *rq) {
    const int chunks = depth >> 2, skip = -chunks & 7;
    int blocks = units >> 2, nv = chunks + skip, offv = 92 * skip;
    const int8_t *inv = in;
    const int32_t *kbv = kbias;
    int8_t *outv = out;
    const int32_t mv = rq[0], hv = rq[1], rv = rq[2];
    const int8_t *x;
    int32_t a0, a1, a2, a3, xe, xo, w0, w1, w2, w3, t, n;
    __asm__ volatile(
        "ldr %[t], %[blm]\n\t"
        "ldr %[n], %[nm]\n\t"
        "ldr %[xe], %[offm]\n\t"
        "adr.w %[xo], 2f\n\t"
        "add %[xe], %[xe], %[xo]\n\t"
        "ldr %[x], %[inm]\n\t"
        "ldr %[w0], %[kbm]\n\t"
        "ldr %[w1], %[outm]\n\t"
        "ldr %[w2], %[mm]\n\t"
        "ldr %[w3], %[hm]\n\t"
        "ldr %[xo], %[rm]\n\t"
        "sub sp, sp, #40\n\t"
        "str %[t], [sp]\n\t"                /* blocks left */
        "str %[n], [sp, #4]\n\t"            /* chunks rounded up to whole turns */
        "str %[xe], [sp, #8]\n\t"           /* entry address */
        "str %[x], [sp, #12]\n\t"           /* the row's input */
        "str %[w0], [sp, #16]\n\t"          /* folded biases */
        "str %[w1], [sp, #20]\n\t"          /* output */
        "str %[w2], [sp, #24]\n\t"          /* M */
        "str %[w3], [sp, #28]\n\t"          /* h */
        "str %[xo], [sp, #32]\n\t"          /* r - 1 */
        "1:\n\t"
        "ldr %[t], [sp, #16]\n\t"
        "ldr %[x], [sp, #12]\n\t"
        "ldr %[n], [sp, #4]\n\t"
        "ldr %[xe], [sp, #8]\n\t"
        "ldr.w %[a0], [%[t]], #4\n\t"
        "ldr.w %[a1], [%[t]], #4\n\t"
        "ldr.w %[a2], [%[t]], #4\n\t"
        "ldr.w %[a3], [%[t]], #4\n\t"
        "str %[t], [sp, #16]\n\t"
        "mov pc, %[xe]\n\t"
        ".p2align 2\n\t"
        "2:\n\t"
        TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK
        TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK
        "3:\n\t"
        ".if (3b - 2b) - 8 * 92\n\t"        /* the computed entry's chunk size */
        ".error \"TINYCC_FC_CHUNK is not 92 bytes\"\n\t"
        ".endif\n\t"
        "subs %[n], %[n], #8\n\t"
        "bne 2b\n\t"
        "ldr %[xe], [sp, #24]\n\t"          /* M */
        "ldr %[xo], [sp, #28]\n\t"          /* h */
        "ldr %[w0], [sp, #32]\n\t"          /* r - 1 */
        "ldr %[x], [sp, #20]\n\t"           /* output */
        "mov %[w1], #0x40000000\n\t"
        "asr %[t], %[a0], #31\n\t"
        "orr %[w2], %[w1], %[t], lsl #31\n\t"
        "add %[w3], %[xo], %[t]\n\t"
        "smlal %[w2], %[w3], %[a0], %[xe]\n\t"
        "asr %[w3], %[w3], %[w0]\n\t"
        "ssat %[w3], #8, %[w3]\n\t"
        "strb %[w3], [%[x]], #1\n\t"
        "asr %[t], %[a1], #31\n\t"
        "orr %[w2], %[w1], %[t], lsl #31\n\t"
        "add %[w3], %[xo], %[t]\n\t"
        "smlal %[w2], %[w3], %[a1], %[xe]\n\t"
        "asr %[w3], %[w3], %[w0]\n\t"
        "ssat %[w3], #8, %[w3]\n\t"
        "strb %[w3], [%[x]], #1\n\t"
        "asr %[t], %[a2], #31\n\t"
        "orr %[w2], %[w1], %[t], lsl #31\n\t"
        "add %[w3], %[xo], %[t]\n\t"
        "smlal %[w2], %[w3], %[a2], %[xe]\n\t"
        "asr %[w3], %[w3], %[w0]\n\t"
        "ssat %[w3], #8, %[w3]\n\t"
        "strb %[w3], [%[x]], #1\n\t"
        "asr %[t], %[a3], #31\n\t"
        "orr %[w2], %[w1], %[t], lsl #31\n\t"
        "add %[w3], %[xo], %[t]\n\t"
        "smlal %[w2], %[w3], %[a3], %[xe]\n\t"
        "asr %[w3], %[w3], %[w0]\n\t"
        "ssat %[w3], #8, %[w3]\n\t"
        "strb %[w3], [%[x]], #1\n\t"
        "str %[x], [sp, #20]\n\t"
        "ldr %[t], [sp]\n\t"
        "subs %[t], %[t], #1\n\t"
        "str %[t], [sp]\n\t"
        "bne 1b\n\t"
        "add sp, sp, #40\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x), [w] "+r"(w), [n] "=&r"(n),
          [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3),
          [t] "=&r"(t)
        : [blm] "m"(blocks), [nm] "m"(nv), [offm] "m"(offv), [inm] "m"(inv), [kbm] "m"(kbv), [outm] "m"(outv),
          [mm] "m"(mv), [hm] "m"(hv), [rm] "m"(rv)
        : "cc", "memory");
    return w;
}
#endif

static inline void tinycc_fc_rows_s8(int rows, int units, int depth, const int8_t *in, const int32_t *w4,
                                     const int32_t *kbias, int8_t *out, int32_t out_zp, const int32_t *rq,
                                     int rq_step, int mode, int32_t act_min, int32_t act_max) {
    int r, u;
#ifdef TINYCC_FC_ASM
    if (mode == 2 && units % 4 == 0 && depth % 4 == 0 && units > 0 && depth > 0) {
        for (r = 0; r < rows; ++r, in += depth, out += units) (void)tinycc_fc_row_asm(units, depth, in, w4, kbias, out, rq);
        return;
    }
#endif
    for (r = 0; r < rows; ++r, in += depth, out += units) {
        const int32_t *w = w4;
        for (u = 0; u < units; u += 4) {
            const int n = units - u < 4 ? units - u : 4;      /* this block's outputs: acc holds four */
            int32_t acc[4];
            acc[0] = kbias[u], acc[1] = kbias[u + 1], acc[2] = kbias[u + 2], acc[3] = kbias[u + 3];
            w = n > 2 ? tinycc_fc_dot4(w, in, depth, acc) : tinycc_fc_dot2(w, in, depth, acc);
            tinycc_fc_store(out + u, acc, n, out_zp, rq + u * rq_step, rq_step, mode, act_min, act_max);
        }
    }
}

/* rq: three int32 per unit (rq_step 3) or one triple for all (rq_step 0), as tinycc_fc_out reads them;
 * mode 2 (tinycc_fc_mul, saturated) only for one multiplier and an activation range of all of int8.
 * One copy of the loops per mode. */
TINYCC_FC_OUTLINED void tinycc_fully_connected_s8_w4(int rows, int units, int depth, const int8_t *in,
                                                     const int32_t *w4, const int32_t *kbias, int8_t *out,
                                                     int32_t out_zp, const int32_t *rq, int rq_step, int mode,
                                                     int32_t act_min, int32_t act_max) {
    if (mode == 2)
        tinycc_fc_rows_s8(rows, units, depth, in, w4, kbias, out, out_zp, rq, 0, 2, act_min, act_max);
    else if (mode == 1)
        tinycc_fc_rows_s8(rows, units, depth, in, w4, kbias, out, out_zp, rq, rq_step, 1, act_min, act_max);
    else
        tinycc_fc_rows_s8(rows, units, depth, in, w4, kbias, out, out_zp, rq, rq_step, 0, act_min, act_max);
}

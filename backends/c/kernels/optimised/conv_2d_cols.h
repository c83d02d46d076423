/* ---- im2col kernels (int8, dilation 1; needs dot_s8.h) ----
 * Each output pixel's patch (kh*kw*ci taps; taps outside the input set to in_zp, so with the folded
 * bias kb they add f * 0 as TFLM's skipped taps; zeros up to k4, the next multiple of 4) is
 * widened to int16 once into a stack column and reused by every output channel. The filter was
 * packed at compile time (conv_2d.py): output channels in pairs, a pair's 4-tap groups interleaved
 * (c0 g0, c1 g0, c0 g1, c1 g1, ...), each channel zero-padded to k4 taps, an odd last channel on its
 * own; stored as int32 words (byte j of a word, from the least significant, is tap j of its group),
 * each pair's words between its folded biases and its requantisation words (tinycc_cols_block), after
 * one word for the whole layer (2 out_zp + 1).
 * Two pixels by two channels a pass (three by two in the Cortex-M4 assembly loop of
 * conv_2d_cols_thumb2.h, the third pixel in slot 2: TINYCC_COLS_W). With the DSP extension a group
 * x0..x3 is stored as the words [x0,x2] [x1,x3] (SXTB16 and SXTB16 ROR 8), the pairs a weight word's own SXTB16s give, so
 * each SMLAD adds two products with no reordering; the two pixels' columns are interleaved group by
 * group (px0 [x0,x2], px0 [x1,x3], px1 [x0,x2], px1 [x1,x3]). Plain C, scalar shape (TINYCC_VEC 0,
 * common/vec.h): int16 in natural order, same interleave. Plain C, vector shape: int8, each group twice
 * ([x0..x3, x0..x3], the pair's 8 weight bytes of a group line up with it), in blocks of two groups
 * (32 bytes: px0 g, px0 g+1, px1 g, px1 g+1), so the multiply-accumulate loops run over 16 bytes
 * with a fixed trip count, the shape compilers vectorise at -O2 (GCC's very-cheap cost model);
 * an odd last group takes half a block and 16 bytes past 4 k4 (the patch of tinycc_conv_2d_s8_cols_row
 * starts at TINYCC_COLS_PATCH_AT(k4)). Integer sums in any order are TFLM's exactly. */
#ifndef TINYCC_CONV_COLS_BYTES
#define TINYCC_CONV_COLS_BYTES @TINYCC_CONV_COLS_BYTES@   /* stack bytes for two int16 columns: k4 <= 576 (conv_2d.py checks) */
#endif

#if defined(TINYCC_MVE) && !defined(__ARM_BIG_ENDIAN)
/* Helium: int8 columns in 16-byte chunks, the two slots' chunks side by side (mve_conv_cols.h, after this
 * file, defines the column, widen, fill and multiply-accumulate kernels declared here); the two columns
 * take 32 ceil(g / 4) <= 2 k4 + 24 bytes, a patch after them at 4 k4 + 16 */
#define TINYCC_MVE_COLS 1
typedef union {
    int32_t w[TINYCC_CONV_COLS_BYTES / 4 + 4];
    int8_t b[TINYCC_CONV_COLS_BYTES + 16];
} tinycc_cols;
#define TINYCC_COLS_PATCH_AT(k4) (4 * (k4) + 16)
static inline void tinycc_cols_widen(tinycc_cols *c, int p, int g, const int8_t *x, int n);
static inline void tinycc_cols_fill(tinycc_cols *c, int p, int g, int32_t z, int ng);
static inline const int32_t *tinycc_cols_2x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc);
static inline void tinycc_cols_1x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc);
static inline void tinycc_cols_nx1(const tinycc_cols *c, const int32_t *w, int g, int np, int32_t *acc);
static inline void tinycc_mve_cols_out4(const int32_t *acc, const int32_t *q, int32_t zp2, int32_t key, int8_t *op, int co,
                                        int32_t act_min, int32_t act_max);
#elif defined(TINYCC_DSP) || !TINYCC_VEC
typedef union {
    int32_t w[TINYCC_CONV_COLS_BYTES / 4];
    int16_t h[TINYCC_CONV_COLS_BYTES / 2];
} tinycc_cols;
#define TINYCC_COLS_PATCH_AT(k4) (4 * (k4))
#ifdef TINYCC_DSP
/* a DSP column's word of pixel slot p's group g: slots 0 and 1 interleaved group by group (tinycc_cols_2x2),
 * slot 2 (the three-pixel assembly loop's third pixel, conv_2d_cols_thumb2.h) as slot 0 of a second column
 * TINYCC_COLS_B bytes on (the first column's groups and a word after them fit below it) */
#define TINYCC_COLS_B ((TINYCC_CONV_COLS_BYTES / 2 + 8) & ~3)
#define TINYCC_COLS_W(c, p, g) ((c)->w + 4 * (g) + 2 * ((p) & 1) + ((p) >> 1) * (TINYCC_COLS_B / 4))
#endif
#else
typedef union {
    int32_t w[TINYCC_CONV_COLS_BYTES / 4 + 4];
    int8_t b[TINYCC_CONV_COLS_BYTES + 16];
} tinycc_cols;
#define TINYCC_COLS_PATCH_AT(k4) (4 * (k4) + 16)
/* pixel slot p's copy of group g in a plain-C column */
#define TINYCC_COLS_AT(c, p, g) ((c)->b + 32 * ((g) >> 1) + 16 * (p) + 8 * ((g) & 1))
#endif

#ifndef TINYCC_MVE_COLS

/* n (a multiple of 4) int8 taps at x into pixel slot p's column from group g on; with the DSP
 * extension four groups a pass, their four loads back to back (each pipelines after the one before) */
static inline void tinycc_cols_widen(tinycc_cols *c, int p, int g, const int8_t *x, int n) {
    int i = 0;
#ifdef TINYCC_DSP
    int32_t *d = TINYCC_COLS_W(c, p, g);
    for (; i + 16 <= n; i += 16, d += 16) {
        const int32_t v0 = tinycc_ld4(x + i), v1 = tinycc_ld4(x + i + 4), v2 = tinycc_ld4(x + i + 8),
                      v3 = tinycc_ld4(x + i + 12);
        d[0] = __sxtb16(v0);
        d[1] = tinycc_sxtb16_ror8(v0);
        d[4] = __sxtb16(v1);
        d[5] = tinycc_sxtb16_ror8(v1);
        d[8] = __sxtb16(v2);
        d[9] = tinycc_sxtb16_ror8(v2);
        d[12] = __sxtb16(v3);
        d[13] = tinycc_sxtb16_ror8(v3);
    }
    for (; i < n; i += 4, d += 4) {
        const int32_t v = tinycc_ld4(x + i);
        d[0] = __sxtb16(v);
        d[1] = tinycc_sxtb16_ror8(v);
    }
#elif TINYCC_VEC
    for (i = 0; i < n; i += 4, ++g) {
        int8_t *d = TINYCC_COLS_AT(c, p, g);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        d[0] = d[4] = x[i + 3];    /* in the order of a packed word's bytes in memory */
        d[1] = d[5] = x[i + 2];
        d[2] = d[6] = x[i + 1];
        d[3] = d[7] = x[i];
#else
        memcpy(d, x + i, 4);
        memcpy(d + 4, x + i, 4);
#endif
    }
#else
    int16_t *d = c->h + 8 * g + 4 * p;
    for (; i < n; i += 4, d += 8) {
        d[0] = x[i];
        d[1] = x[i + 1];
        d[2] = x[i + 2];
        d[3] = x[i + 3];
    }
#endif
}

/* ng groups of pixel slot p's column from group g on set to taps of value z (the input zero point:
 * taps outside the input), as tinycc_cols_widen of ng * 4 bytes z */
static inline void tinycc_cols_fill(tinycc_cols *c, int p, int g, int32_t z, int ng) {
#ifdef TINYCC_DSP
    const int32_t zz = (int32_t)(((uint32_t)z & 0xffffu) * 0x00010001u);
    int32_t *d = TINYCC_COLS_W(c, p, g);
    for (; ng > 0; --ng, d += 4) d[0] = d[1] = zz;
#elif TINYCC_VEC
    for (; ng > 0; --ng, ++g) memset(TINYCC_COLS_AT(c, p, g), (int)(int8_t)z, 8);   /* both copies of the group */
#else
    int16_t *d = c->h + 8 * g + 4 * p;
    for (; ng > 0; --ng, d += 8) d[0] = d[1] = d[2] = d[3] = (int16_t)z;
#endif
}
#endif /* !TINYCC_MVE_COLS */

/* n bytes from x to d (no overlap): words (unaligned: memcpy of 4, one LDR/STR on the Cortex-M4), the
 * last word ending at byte n, rewriting up to 3 bytes already copied */
static inline void tinycc_cols_copy(int8_t *d, const int8_t *x, int n) {
    int i;
    int32_t v, u;
#ifdef TINYCC_COPY_V6M      /* ARMv6-M: aligned words or bytes, no library call a word (common/copy.h) */
    tinycc_copy_bytes_v6m(d, x, n);
    return;
#endif
    if (n < 4) {
        for (i = 0; i < n; ++i) d[i] = x[i];
        return;
    }
    if (n <= 12) {   /* 2 or 3 words: 0, (4,) n - 4 */
        memcpy(&v, x, 4);
        memcpy(&u, x + n - 4, 4);
        if (n > 8) {
            int32_t t;
            memcpy(&t, x + 4, 4);
            memcpy(d + 4, &t, 4);
        }
        memcpy(d, &v, 4);
        memcpy(d + n - 4, &u, 4);
        return;
    }
    for (i = 0; i + 4 < n; i += 4) {
        memcpy(&v, x + i, 4);
        memcpy(d + i, &v, 4);
    }
    memcpy(&v, x + n - 4, 4);
    memcpy(d + n - 4, &v, 4);
}

#if defined(TINYCC_DSP) && !defined(__ARM_BIG_ENDIAN) && !defined(TINYCC_MVE_COLS)
#define TINYCC_COLS_ROW9 1
/* an interior pixel's column into slot p when its patch is kh = 3 rows of L = 9 bytes (a 3x3 filter on
 * RGB: 27 taps, 7 groups, the last one's fourth tap 0) from the rows at x, x + rowstep, x + 2 rowstep:
 * the groups assembled in registers from loads inside the rows (byte j of a word is tap j of its group,
 * little-endian), no patch */
static inline void tinycc_cols_row9(tinycc_cols *c, int p, const int8_t *x, int rowstep) {
    const int8_t *r1 = x + rowstep, *r2 = r1 + rowstep;
    int32_t *d = TINYCC_COLS_W(c, p, 0);
    uint16_t t;
    int32_t v;
    memcpy(&t, r1 + 7, 2);
#define TINYCC_COLS_ROW9_GROUP(G, V) v = (int32_t)(V), d[4 * (G)] = __sxtb16(v), d[4 * (G) + 1] = tinycc_sxtb16_ror8(v)
    TINYCC_COLS_ROW9_GROUP(0, tinycc_ld4(x));
    TINYCC_COLS_ROW9_GROUP(1, tinycc_ld4(x + 4));
    TINYCC_COLS_ROW9_GROUP(2, (uint32_t)(uint8_t)x[8] | (uint32_t)tinycc_ld4(r1) << 8);
    TINYCC_COLS_ROW9_GROUP(3, tinycc_ld4(r1 + 3));
    TINYCC_COLS_ROW9_GROUP(4, (uint32_t)t | (uint32_t)tinycc_ld4(r2) << 16);
    TINYCC_COLS_ROW9_GROUP(5, tinycc_ld4(r2 + 2));
    TINYCC_COLS_ROW9_GROUP(6, (uint32_t)tinycc_ld4(r2 + 5) >> 8);
#undef TINYCC_COLS_ROW9_GROUP
}
#endif

#if defined(__GNUC__)          /* kept out of the row loop: its patch buffer would join the row's frame */
#define TINYCC_COLS_OUTLINED static __attribute__((noinline, unused))
#define TINYCC_COLS_INLINED static inline __attribute__((always_inline))   /* a pixel's column, in the row loops */
#else
#define TINYCC_COLS_OUTLINED static
#define TINYCC_COLS_INLINED static inline
#endif

/* pixel (b, oy, ox)'s column into slot p: when each tap is whole groups (ci % 4 == 0) every row
 * straight from the input, the taps outside filled with the zero point; else rows inside straight
 * from the input when a row of kw*ci taps is whole groups, the others through a zero-point-filled
 * patch (conv_2d.py checks it fits) */
/* whether a model's im2col nodes have input channels not a multiple of 4 (the emitter's #define, conv_2d.py's
 * _cols): 0 compiles out the columns whose groups a tap splits (here and in conv_2d_cols_rows.h) */
#ifndef TINYCC_COLS_SPLIT
#define TINYCC_COLS_SPLIT 1
#endif
TINYCC_COLS_OUTLINED void tinycc_cols_pixel(const tinycc_conv_shape *s, const int8_t *in, tinycc_cols *c, int p, int b,
                                     int oy, int ox, int32_t in_zp) {
    const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l, L = s->kw * s->ci;
    const int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = iy0 + s->kh > s->h ? s->h - iy0 : s->kh;
    const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + s->kw > s->w ? s->w - ix0 : s->kw;
    const int len = (kx1 - kx0) * s->ci;
    int8_t patch[TINYCC_CONV_PATCH_BYTES];
    int ky;
    if (!TINYCC_COLS_SPLIT || s->ci % 4 == 0) {     /* row by row, each tap whole groups: input or zero point */
        const int G = L / 4, g0 = kx0 * s->ci / 4, gin = len > 0 ? len / 4 : 0;
        for (ky = 0; ky < s->kh; ++ky) {
            if (ky < ky0 || ky >= ky1 || gin == 0) {
                tinycc_cols_fill(c, p, ky * G, in_zp, G);
            } else {
                tinycc_cols_fill(c, p, ky * G, in_zp, g0);
                tinycc_cols_widen(c, p, ky * G + g0, in + ((b * s->h + iy0 + ky) * s->w + ix0 + kx0) * s->ci, len);
                tinycc_cols_fill(c, p, ky * G + g0 + gin, in_zp, G - g0 - gin);
            }
        }
        return;
    }
    if (L % 4 == 0) {           /* row by row: each row is whole groups */
        for (ky = 0; ky < s->kh; ++ky) {
            const int8_t *x = patch;
            if (ky < ky0 || ky >= ky1 || len <= 0) {
                memset(patch, (int)in_zp, (size_t)L);
            } else {
                x = in + ((b * s->h + iy0 + ky) * s->w + ix0 + kx0) * s->ci;
                if (kx0 > 0 || kx1 < s->kw) {
                    memset(patch, (int)in_zp, (size_t)L);
                    memcpy(patch + kx0 * s->ci, x, (size_t)len);
                    x = patch;
                }
            }
            tinycc_cols_widen(c, p, ky * (L / 4), x, L);
        }
        return;
    }
    {   /* groups straddle rows: the whole patch, zeros after the last tap */
        const int k = s->kh * L, k4 = (k + 3) & ~3;
        const int32_t zero = 0;
        memcpy(patch + k4 - 4, &zero, 4);
        memset(patch, (int)in_zp, (size_t)k);
        if (len > 0)
            for (ky = ky0; ky < ky1; ++ky)
                memcpy(patch + ky * L + kx0 * s->ci, in + ((b * s->h + iy0 + ky) * s->w + ix0 + kx0) * s->ci,
                       (size_t)len);
        tinycc_cols_widen(c, p, 0, patch, k4);
    }
}

/* The im2col kernels' requantisation: TFLM's MultiplyByQuantizedMultiplier plus the output zero point z
 * exactly, for a right shift e = -shift >= 1 and a multiplier M in [2^30, 2^31), from one word a channel,
 * W = 2M - 2^32 (as int32) with s = e - 1 in its low 5 bits after an XOR with the layer's key (0..31;
 * 0 unless a channel needs its exact M), and the layer's zp2 = 2 z + 1 (conv_2d.py's
 * cols_words; requant.cols_packed_words proves, channel by channel, that the low bits move no rounding
 * boundary past an accumulator the layer can reach). SaturatingRoundingDoublingHighMul(acc, M) =
 * floor((2 acc M + 2^31) / 2^32) = acc + floor((acc M2 + 2^31) / 2^32): one SMMLAR with acc as the
 * accumulator (exact 64-bit sum). RoundingDivideByPOT(x, e) + z = (x + 2^(e-1) - (x < 0)) >> e + z =
 * (x + h + (x >> 31)) >> e with h = zp2 << s = 2^(e-1) + z 2^e (adding z 2^e before an arithmetic shift
 * adds z after it), shifted as >> s then >> 1 (the assembly's SSAT ASR #1). The emitter checks |acc| and
 * |x| + |h| + 1 stay under 2^31. */
#if !defined(TINYCC_DSP) && defined(__ARM_ARCH_6M__)
/* ARMv6-M has no 32x32 -> 64 multiply (GCC calls __aeabi_lmul for a 64-bit product): floor((a b +
 * 2^31) / 2^32) from 16-bit halves, four MULS (Hacker's Delight's mulhs; every partial sum stays
 * within int32). a b = (ah bh + t_hi) 2^32 + u 2^16 + lo_lo with t = ah bl + lo_hi and u = al bh +
 * t_lo; the low word's bit 31 (u's bit 15) is the rounding carry. */
static inline int32_t tinycc_mulhr_v6m(int32_t a, int32_t b) {
    const int32_t ah = a >> 16, bh = b >> 16;
    const uint32_t al = (uint32_t)a & 0xffffu, bl = (uint32_t)b & 0xffffu;
    const uint32_t lo = al * bl;
    const int32_t t = ah * (int32_t)bl + (int32_t)(lo >> 16);
    const int32_t u = (int32_t)al * bh + (t & 0xffff);
    return ah * bh + (t >> 16) + (u >> 16) + ((u >> 15) & 1);
}
#endif

#if !defined(TINYCC_DSP) && defined(TINYCC_V6M_ASM)
/* acc + tinycc_mulhr_v6m(acc, m) in 20 16-bit Thumb instructions (GCC's code of the C took about 35
 * with the block's registers live): the same four MULS and partial sums (common/mulhs_v6m.h), the
 * rounding carry (u's bit 15, the low word's bit 31) shifted out by LSLS #17 into the carry flag and
 * added with ADCS */
static inline int32_t tinycc_srdhm_v6m(int32_t acc, int32_t m) {
    int32_t a, al, bl, t;
    __asm__(TINYCC_MULHS_V6M_ASM
            "lsls %[al], %[al], #17\n\t"      /* carry: u's bit 15 */
            "adcs %[b], %[b], %[acc]"
            : [a] "=&l"(a), [al] "=&l"(al), [bl] "=&l"(bl), [t] "=&l"(t), [b] "+l"(m)
            : [acc] "l"(acc)
            : "cc");
    return m;
}
#endif

/* whether a layer's key can be other than 0 (the emitter's #define: 0 when no node has one) */
#ifndef TINYCC_COLS_KEY
#define TINYCC_COLS_KEY 1
#endif
static inline int32_t tinycc_cols_rq(int32_t acc, int32_t m, int32_t zp2, int32_t key) {
    const int s = (m ^ (TINYCC_COLS_KEY ? key : 0)) & 31;
    const int32_t h = (int32_t)((uint32_t)zp2 << s);
    int32_t x;
#ifdef TINYCC_DSP
    __asm__("smmlar %0, %1, %2, %1" : "=r"(x) : "r"(acc), "r"(m));
#elif defined(TINYCC_V6M_ASM)
    x = tinycc_srdhm_v6m(acc, m);
#elif defined(__ARM_ARCH_6M__)
    x = (int32_t)((uint32_t)acc + (uint32_t)tinycc_mulhr_v6m(acc, m));
#else
    x = (int32_t)(((int64_t)acc * ((int64_t)m + 4294967296LL) + 2147483648LL) >> 32);
#endif
    return ((x + h + (x >> 31)) >> s) >> 1;
}

#if defined(TINYCC_DSP) && defined(__thumb2__) && !defined(TINYCC_MVE_COLS)
#define TINYCC_COLS_ASM 1   /* Thumb-2: LDRD takes any two registers (A32 wants an even/odd pair) */
#endif
#if !defined(TINYCC_DSP) && !TINYCC_VEC && defined(TINYCC_V6M_ASM) && !defined(__OPTIMIZE_SIZE__)
/* ARMv6-M: the 2x2 block in 16-bit Thumb assembly, accumulators in r8-r12. Not at -Os: GCC then keeps
 * Thumb-1's high registers out of allocation (fixed: no "h" operand, and a clobber of r8-r11 is not
 * saved), so the plain C paths run */
#define TINYCC_COLS_V6M 1
#endif
#if !defined(TINYCC_DSP) && !TINYCC_VEC
/* tap j (0..3) of a packed filter word: its byte j, sign-extended */
static inline int32_t tinycc_wtap(int32_t w, int j) {
    return (int32_t)((uint32_t)w << (24 - 8 * j)) >> 24;
}
#endif

#ifndef TINYCC_MVE_COLS
/* acc[0..3] += (px0, ch0), (px0, ch1), (px1, ch0), (px1, ch1) over g >= 1 groups; w: a packed channel
 * pair (one word per channel and group). Thumb-2 DSP: 16 instructions a group of 16 MACs (3 LDRD,
 * 4 SXTB16, 8 SMLAD, the loop over two groups), in assembly so that the 13 live values stay in
 * registers. */
static inline const int32_t *tinycc_cols_2x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#ifdef TINYCC_COLS_ASM
    const int32_t *x = c->w;
    int32_t wa, wb, wah, wbh, xa, xb;
    __asm__ volatile(
        "tst %[g], #1\n\t"          /* an odd group first, then two a pass */
        "beq 2f\n\t"
        "ldrd %[wa], %[wb], [%[w]], #8\n\t"
        "ldrd %[xa], %[xb], [%[x]], #8\n\t"
        "sxtb16 %[wah], %[wa], ror #8\n\t"
        "sxtb16 %[wa], %[wa]\n\t"
        "sxtb16 %[wbh], %[wb], ror #8\n\t"
        "sxtb16 %[wb], %[wb]\n\t"
        "smlad %[a0], %[xa], %[wa], %[a0]\n\t"
        "smlad %[a0], %[xb], %[wah], %[a0]\n\t"
        "smlad %[a1], %[xa], %[wb], %[a1]\n\t"
        "smlad %[a1], %[xb], %[wbh], %[a1]\n\t"
        "ldrd %[xa], %[xb], [%[x]], #8\n\t"
        "smlad %[a2], %[xa], %[wa], %[a2]\n\t"
        "smlad %[a2], %[xb], %[wah], %[a2]\n\t"
        "smlad %[a3], %[xa], %[wb], %[a3]\n\t"
        "smlad %[a3], %[xb], %[wbh], %[a3]\n\t"
        "subs %[g], %[g], #1\n\t"
        "beq 3f\n\t"
        "2:\n\t"
        "ldrd %[wa], %[wb], [%[w]], #8\n\t"
        "ldrd %[xa], %[xb], [%[x]], #8\n\t"
        "sxtb16 %[wah], %[wa], ror #8\n\t"
        "sxtb16 %[wa], %[wa]\n\t"
        "sxtb16 %[wbh], %[wb], ror #8\n\t"
        "sxtb16 %[wb], %[wb]\n\t"
        "smlad %[a0], %[xa], %[wa], %[a0]\n\t"
        "smlad %[a0], %[xb], %[wah], %[a0]\n\t"
        "smlad %[a1], %[xa], %[wb], %[a1]\n\t"
        "smlad %[a1], %[xb], %[wbh], %[a1]\n\t"
        "ldrd %[xa], %[xb], [%[x]], #8\n\t"
        "smlad %[a2], %[xa], %[wa], %[a2]\n\t"
        "smlad %[a2], %[xb], %[wah], %[a2]\n\t"
        "smlad %[a3], %[xa], %[wb], %[a3]\n\t"
        "smlad %[a3], %[xb], %[wbh], %[a3]\n\t"
        "ldrd %[wa], %[wb], [%[w]], #8\n\t"
        "ldrd %[xa], %[xb], [%[x]], #8\n\t"
        "sxtb16 %[wah], %[wa], ror #8\n\t"
        "sxtb16 %[wa], %[wa]\n\t"
        "sxtb16 %[wbh], %[wb], ror #8\n\t"
        "sxtb16 %[wb], %[wb]\n\t"
        "smlad %[a0], %[xa], %[wa], %[a0]\n\t"
        "smlad %[a0], %[xb], %[wah], %[a0]\n\t"
        "smlad %[a1], %[xa], %[wb], %[a1]\n\t"
        "smlad %[a1], %[xb], %[wbh], %[a1]\n\t"
        "ldrd %[xa], %[xb], [%[x]], #8\n\t"
        "smlad %[a2], %[xa], %[wa], %[a2]\n\t"
        "smlad %[a2], %[xb], %[wah], %[a2]\n\t"
        "smlad %[a3], %[xa], %[wb], %[a3]\n\t"
        "smlad %[a3], %[xb], %[wbh], %[a3]\n\t"
        "subs %[g], %[g], #2\n\t"
        "bne 2b\n\t"
        "3:\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w), [g] "+r"(g),
          [wa] "=&r"(wa), [wb] "=&r"(wb), [wah] "=&r"(wah), [wbh] "=&r"(wbh), [xa] "=&r"(xa), [xb] "=&r"(xb)
        :
        : "cc", "memory");
#elif defined(TINYCC_DSP)
    const int32_t *x = c->w;
    for (; g > 0; --g, x += 4, w += 2) {
        const int32_t wal = __sxtb16(w[0]), wah = tinycc_sxtb16_ror8(w[0]);
        const int32_t wbl = __sxtb16(w[1]), wbh = tinycc_sxtb16_ror8(w[1]);
        a0 = __smlad(x[0], wal, a0);
        a0 = __smlad(x[1], wah, a0);
        a1 = __smlad(x[0], wbl, a1);
        a1 = __smlad(x[1], wbh, a1);
        a2 = __smlad(x[2], wal, a2);
        a2 = __smlad(x[3], wah, a2);
        a3 = __smlad(x[2], wbl, a3);
        a3 = __smlad(x[3], wbh, a3);
    }
#elif TINYCC_VEC
    /* lane k of s0 (px0) and s1 (px1): byte k of the pair's two groups (c0 g, c1 g, c0 g+1, c1 g+1)
     * times the same tap of the pixel's copies */
    const int8_t *x = c->b, *f = (const int8_t *)(const void *)w;
    int32_t s0[16], s1[16];
    int i, k;
    for (k = 0; k < 16; ++k) s0[k] = s1[k] = 0;
    for (i = 0; i + 2 <= g; i += 2, f += 16, x += 32)
        for (k = 0; k < 16; ++k) {
            const int32_t v = f[k];
            s0[k] += v * x[k];
            s1[k] += v * x[16 + k];
        }
    if (i < g)          /* an odd last group: the first half of its block */
        for (k = 0; k < 8; ++k) {
            const int32_t v = f[k];
            s0[k] += v * x[k];
            s1[k] += v * x[16 + k];
        }
    for (k = 0; k < 4; ++k) {
        a0 += s0[k] + s0[k + 8];
        a1 += s0[k + 4] + s0[k + 12];
        a2 += s1[k] + s1[k + 8];
        a3 += s1[k + 4] + s1[k + 12];
    }
    w += 2 * g;
#elif defined(TINYCC_COLS_V6M)
    /* 17 instructions a tap of 4 MACs: two weight bytes and two column halfwords loaded and
     * sign-extended, four MULS (one copy: each product overwrites an operand at its last use), four
     * ADDs to accumulators in high registers (the eight low ones hold the rest) */
    const int16_t *x = c->h;
    const int32_t *const end = w + 2 * g;
    int32_t f0, f1, x0, x1, t;
    /* tap J of the group: weight bytes J (ch0) and 4 + J (ch1), column halfwords J (px0) and 4 + J (px1)
     * (byte offsets as strings) */
#define TINYCC_COLS_V6M_HTAP(F0, F1, X0, X1) \
        "ldrb %[f0], [%[w], #" F0 "]\n\t" \
        "sxtb %[f0], %[f0]\n\t" \
        "ldrb %[f1], [%[w], #" F1 "]\n\t" \
        "sxtb %[f1], %[f1]\n\t" \
        "ldrh %[x0], [%[x], #" X0 "]\n\t" \
        "sxth %[x0], %[x0]\n\t" \
        "ldrh %[x1], [%[x], #" X1 "]\n\t" \
        "sxth %[x1], %[x1]\n\t" \
        "movs %[t], %[x0]\n\t" \
        "muls %[t], %[f0], %[t]\n\t" \
        "add %[a0], %[t]\n\t" \
        "muls %[x0], %[f1], %[x0]\n\t" \
        "add %[a1], %[x0]\n\t" \
        "muls %[f0], %[x1], %[f0]\n\t" \
        "add %[a2], %[f0]\n\t" \
        "muls %[x1], %[f1], %[x1]\n\t" \
        "add %[a3], %[x1]\n\t"
    __asm__ volatile(
        ".syntax unified\n"
        "1:\n\t"
        TINYCC_COLS_V6M_HTAP("0", "4", "0", "8") TINYCC_COLS_V6M_HTAP("1", "5", "2", "10")
        TINYCC_COLS_V6M_HTAP("2", "6", "4", "12") TINYCC_COLS_V6M_HTAP("3", "7", "6", "14")
        "adds %[w], #8\n\t"
        "adds %[x], #16\n\t"
        "cmp %[w], %[end]\n\t"
        "bne 1b\n\t"
        : [a0] "+h"(a0), [a1] "+h"(a1), [a2] "+h"(a2), [a3] "+h"(a3), [w] "+l"(w), [x] "+l"(x),
          [f0] "=&l"(f0), [f1] "=&l"(f1), [x0] "=&l"(x0), [x1] "=&l"(x1), [t] "=&l"(t)
        : [end] "h"(end)
        : "cc", "memory");
#undef TINYCC_COLS_V6M_HTAP
#else
    const int16_t *x = c->h;
    int j;
    for (; g > 0; --g, x += 8, w += 2)
        for (j = 0; j < 4; ++j) {
            const int32_t f0 = tinycc_wtap(w[0], j), f1 = tinycc_wtap(w[1], j);
            a0 += f0 * x[j];
            a1 += f1 * x[j];
            a2 += f0 * x[4 + j];
            a3 += f1 * x[4 + j];
        }
#endif
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    return w;
}

/* acc[0..1] += (px0, ch0), (px0, ch1) */
static inline void tinycc_cols_1x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1];
#ifdef TINYCC_COLS_ASM
    const int32_t *x = c->w;
    int32_t wa, wb, wah, wbh, xa, xb;
#define TINYCC_COLS_1X2_GROUP /* 8 MACs: the group's 4 loads back to back */ \
        "ldr %[wa], [%[w]], #4\n\t" \
        "ldr %[wb], [%[w]], #4\n\t" \
        "ldr %[xb], [%[x], #4]\n\t" \
        "ldr %[xa], [%[x]], #16\n\t" \
        "sxtb16 %[wah], %[wa], ror #8\n\t" \
        "sxtb16 %[wa], %[wa]\n\t" \
        "sxtb16 %[wbh], %[wb], ror #8\n\t" \
        "sxtb16 %[wb], %[wb]\n\t" \
        "smlad %[a0], %[xa], %[wa], %[a0]\n\t" \
        "smlad %[a0], %[xb], %[wah], %[a0]\n\t" \
        "smlad %[a1], %[xa], %[wb], %[a1]\n\t" \
        "smlad %[a1], %[xb], %[wbh], %[a1]\n\t"
    __asm__ volatile(   /* an odd group first, then two a pass */
        "tst %[g], #1\n\t"
        "beq 2f\n\t"
        TINYCC_COLS_1X2_GROUP
        "subs %[g], %[g], #1\n\t"
        "beq 3f\n\t"
        "2:\n\t"
        TINYCC_COLS_1X2_GROUP
        TINYCC_COLS_1X2_GROUP
        "subs %[g], %[g], #2\n\t"
        "bne 2b\n\t"
        "3:\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [x] "+r"(x), [w] "+r"(w), [g] "+r"(g),
          [wa] "=&r"(wa), [wb] "=&r"(wb), [wah] "=&r"(wah), [wbh] "=&r"(wbh), [xa] "=&r"(xa), [xb] "=&r"(xb)
        :
        : "cc", "memory");
#undef TINYCC_COLS_1X2_GROUP
#elif defined(TINYCC_DSP)
    const int32_t *x = c->w;
    for (; g > 0; --g, x += 4, w += 2) {
        a0 = __smlad(x[0], __sxtb16(w[0]), a0);
        a0 = __smlad(x[1], tinycc_sxtb16_ror8(w[0]), a0);
        a1 = __smlad(x[0], __sxtb16(w[1]), a1);
        a1 = __smlad(x[1], tinycc_sxtb16_ror8(w[1]), a1);
    }
#elif TINYCC_VEC
    const int8_t *x = c->b, *f = (const int8_t *)(const void *)w;
    int32_t s0[16];
    int i, k;
    for (k = 0; k < 16; ++k) s0[k] = 0;
    for (i = 0; i + 2 <= g; i += 2, f += 16, x += 32)
        for (k = 0; k < 16; ++k) s0[k] += (int32_t)f[k] * x[k];
    if (i < g)
        for (k = 0; k < 8; ++k) s0[k] += (int32_t)f[k] * x[k];
    for (k = 0; k < 4; ++k) {
        a0 += s0[k] + s0[k + 8];
        a1 += s0[k + 4] + s0[k + 12];
    }
#else
    const int16_t *x = c->h;
    int j;
    for (; g > 0; --g, x += 8, w += 2)
        for (j = 0; j < 4; ++j) {
            a0 += tinycc_wtap(w[0], j) * x[j];
            a1 += tinycc_wtap(w[1], j) * x[j];
        }
#endif
    acc[0] = a0;
    acc[1] = a1;
}

/* one channel (w: g words) against slot 0 and, when np is 2, slot 1: acc[0] px0, acc[1] px1 */
static inline void tinycc_cols_nx1(const tinycc_cols *c, const int32_t *w, int g, int np, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1];
#ifdef TINYCC_DSP
    const int32_t *x = c->w;
    for (; g > 0; --g, x += 4, ++w) {
        const int32_t wl = __sxtb16(*w), wh = tinycc_sxtb16_ror8(*w);
        a0 = __smlad(x[0], wl, a0);
        a0 = __smlad(x[1], wh, a0);
        if (np > 1) {
            a1 = __smlad(x[2], wl, a1);
            a1 = __smlad(x[3], wh, a1);
        }
    }
#elif TINYCC_VEC
    int i, j;
    for (i = 0; i < g; ++i, ++w) {
        const int8_t *x0 = TINYCC_COLS_AT(c, 0, i), *x1 = TINYCC_COLS_AT(c, 1, i);
        for (j = 0; j < 4; ++j) {       /* x0[j], x1[j] line up with the word's bytes in memory */
            const int32_t f = ((const int8_t *)(const void *)w)[j];
            a0 += f * x0[j];
            if (np > 1) a1 += f * x1[j];
        }
    }
#else
    const int16_t *x = c->h;
    int j;
    for (; g > 0; --g, x += 8, ++w)
        for (j = 0; j < 4; ++j) {
            a0 += tinycc_wtap(*w, j) * x[j];
            if (np > 1) a1 += tinycc_wtap(*w, j) * x[4 + j];
        }
#endif
    acc[0] = a0;
    acc[1] = a1;
}
#endif /* !TINYCC_MVE_COLS */

#ifdef TINYCC_DSP
/* v clamped to [act_min, act_max]: one SSAT to int8, the activation's bounds only when `clip` */
static inline int8_t tinycc_cols_sat(int32_t v, int clip, int32_t act_min, int32_t act_max) {
    v = __ssat(v, 8);
    if (clip) v = tinycc_clamp(v, act_min, act_max);
    return (int8_t)v;
}
#endif


/* Helium (MVE) 3x3 depthwise convolution on the packed filter (the rows tinycc_depthwise_conv_2d_s8_fast_row
 * gives tinycc_dw_s8_pf: depth multiplier 1, dilation 1, rq 1 or 2; Cortex-M55/M85, an optimising build;
 * TINYCC_MVE from mve_dot_s8.h). Four channels a vector in int32 lanes (VLDRB.S32 widens 4 bytes as it
 * loads; MVE multiplies integer vectors by vectors without accumulating: VMUL + VADD), groups outer and
 * pixels inner, up to four pixels a pass sharing each filter load. The last group of a depth that is not
 * a multiple of 4 takes predicated input loads and stores (the packed filter and constants are
 * zero-padded to whole groups). Requantisation four channels at a time, TFLM's
 * MultiplyByQuantizedMultiplier(acc, M, -r) + out_zp exactly (the emitter's rq words: multiplier
 * M >= 0, right shift r = (word & 255) + 1 >= 2, no left shift): VQRDMULH is
 * SaturatingRoundingDoublingHighMul; RoundingDivideByPOT rounds half away from zero where VRSHL (by -r)
 * rounds half up, so a negative x takes x - 1 first (x + (x >> 31)): (x - 1 + 2^(r-1)) >> r is x / 2^r
 * rounded half down for x < 0, the same but at halves; x > INT32_MIN since M < 2^31. */
#if defined(TINYCC_MVE)
#define TINYCC_DW_MVE 1

/* TFLM's requantisation of four channels' accumulators (m: multipliers, nr: ~(r - 1) = -r per lane) */
static inline int32x4_t tinycc_mve_dw_rq(int32x4_t acc, int32x4_t m, int32x4_t nr, int32_t out_zp, int32_t act_min,
                                         int32_t act_max) {
    int32x4_t x = vqrdmulhq_s32(acc, m);
    x = vaddq_s32(x, vshrq_n_s32(x, 31));
    x = vaddq_n_s32(vrshlq_s32(x, nr), out_zp);
    return vminq_s32(vmaxq_s32(x, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
}

/* A whole output row on the packed filter (tinycc_depthwise_conv_2d_s8_fast_row's pf rows): groups of four
 * channels outer, pixels inner, no patch: a tap outside the input adds in_zp * f (VMLA by the scalar), as
 * the patch's zero point would (the folded bias cancels it: TFLM's skipped tap). Up to four pixels a
 * pass where their columns are all inside; at stride 1 the pass's input columns of a filter row are each
 * loaded once and feed every tap they meet (four pixels: 12 VMUL + VADD from 6 loads). */
/* a tap's four channels (full: a whole group, no predicate: VMSR + VPST saved) */
#define TINYCC_MVE_DW_X(OFF) (full ? vldrbq_s32(in + (OFF)) : vldrbq_z_s32(in + (OFF), q))
#define TINYCC_MVE_DW_MAC(A, X, F) A = vaddq_s32(A, vmulq_s32(X, F))
#if defined(__GNUC__)
#define TINYCC_MVE_DW_INLINE static inline __attribute__((always_inline))
#else
#define TINYCC_MVE_DW_INLINE static inline
#endif

/* the constants' requantisation of a0..a(n-1), stored co bytes apart from op */
TINYCC_MVE_DW_INLINE void tinycc_mve_dw_store(int full, int n, int8_t *op, int co, const int32_t *pk, mve_pred16_t q,
                                              int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3,
                                              int32_t out_zp, int32_t act_min, int32_t act_max) {
    const int32x4x2_t mw = vld2q_s32(pk + 4);
    const int32x4_t nr = vmvnq_s32(vandq_s32(mw.val[1], vdupq_n_s32(255)));
    a0 = tinycc_mve_dw_rq(a0, mw.val[0], nr, out_zp, act_min, act_max);
    if (full) vstrbq_s32(op, a0); else vstrbq_p_s32(op, a0, q);
    if (n > 1) {
        a1 = tinycc_mve_dw_rq(a1, mw.val[0], nr, out_zp, act_min, act_max);
        if (full) vstrbq_s32(op + co, a1); else vstrbq_p_s32(op + co, a1, q);
    }
    if (n > 2) {
        a2 = tinycc_mve_dw_rq(a2, mw.val[0], nr, out_zp, act_min, act_max);
        if (full) vstrbq_s32(op + 2 * co, a2); else vstrbq_p_s32(op + 2 * co, a2, q);
    }
    if (n > 3) {
        a3 = tinycc_mve_dw_rq(a3, mw.val[0], nr, out_zp, act_min, act_max);
        if (full) vstrbq_s32(op + 3 * co, a3); else vstrbq_p_s32(op + 3 * co, a3, q);
    }
}

/* n (a constant at each call: 1..4) pixels whose columns are all inside; x0: the first one's top-left
 * tap offset in `in` (channel c), rows rowstep apart, pixels xs apart; rows ky0..ky1-1 inside */
TINYCC_MVE_DW_INLINE void tinycc_mve_dw_run(int full, int n, const int8_t *in, long x0, long rowstep, long xs, int sw, int co,
                                            int ky0, int ky1, const int8_t *fg, const int32_t *pk, mve_pred16_t q,
                                            int8_t *op, int32_t in_zp, int32_t out_zp, int32_t act_min,
                                            int32_t act_max) {
    int32x4_t a0 = vldrwq_s32(pk), a1 = a0, a2 = a0, a3 = a0;
    int ky, kx;
    (void)sw;
    for (ky = 0; ky < 3; ++ky) {
        if (ky < ky0 || ky >= ky1) {
            const int32x4_t fs = vaddq_s32(vaddq_s32(vldrbq_s32(fg + 12 * ky), vldrbq_s32(fg + 12 * ky + 4)),
                                           vldrbq_s32(fg + 12 * ky + 8));
            a0 = vmlaq_n_s32(a0, fs, in_zp);
            if (n > 1) a1 = vmlaq_n_s32(a1, fs, in_zp);
            if (n > 2) a2 = vmlaq_n_s32(a2, fs, in_zp);
            if (n > 3) a3 = vmlaq_n_s32(a3, fs, in_zp);
        } else {
            long xo = x0 + ky * rowstep;
            for (kx = 0; kx < 3; ++kx, xo += co) {   /* one filter tap, then each pixel's */
                const int32x4_t f = vldrbq_s32(fg + 12 * ky + 4 * kx);
                TINYCC_MVE_DW_MAC(a0, TINYCC_MVE_DW_X(xo), f);
                if (n > 1) TINYCC_MVE_DW_MAC(a1, TINYCC_MVE_DW_X(xo + xs), f);
                if (n > 2) TINYCC_MVE_DW_MAC(a2, TINYCC_MVE_DW_X(xo + 2 * xs), f);
                if (n > 3) TINYCC_MVE_DW_MAC(a3, TINYCC_MVE_DW_X(xo + 3 * xs), f);
            }
        }
    }
    tinycc_mve_dw_store(full, n, op, co, pk, q, a0, a1, a2, a3, out_zp, act_min, act_max);
}

/* one group's pixels of the row (full: 4 channels; else co - c < 4 of them, predicated) */
TINYCC_MVE_DW_INLINE void tinycc_mve_dw_group(int full, const tinycc_dw_shape *s, const int8_t *in, int c,
                                              const int8_t *fg, const int32_t *pk, int8_t *row, long base, int oy,
                                              int oxa, int oxb, int32_t in_zp, int32_t out_zp, int32_t act_min,
                                              int32_t act_max) {
    const int co = s->co, w = s->w, sw = s->sw, ow = s->ow, iy0 = oy * s->sh - s->pad_t;
    const int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = iy0 + 3 > s->h ? s->h - iy0 : 3;
    const long rowstep = (long)w * co, xs = (long)sw * co;
    const mve_pred16_t q = vctp32q((uint32_t)(co - c));
    int ox, ky;
    for (ox = 0; ox < ow;) {
        const int ix0 = ox * sw - s->pad_l;
        const long x0 = base + (long)ix0 * co + c;               /* may be negative: never an address */
        int8_t *const op = row + (long)ox * co + c;
        if (ox >= oxa && ox < oxb) {
            const int n = oxb - ox < 4 ? oxb - ox : 4;
            if (n == 4) tinycc_mve_dw_run(full, 4, in, x0, rowstep, xs, sw, co, ky0, ky1, fg, pk, q, op, in_zp, out_zp,
                                          act_min, act_max);
            else if (n == 3) tinycc_mve_dw_run(full, 3, in, x0, rowstep, xs, sw, co, ky0, ky1, fg, pk, q, op, in_zp,
                                               out_zp, act_min, act_max);
            else if (n == 2) tinycc_mve_dw_run(full, 2, in, x0, rowstep, xs, sw, co, ky0, ky1, fg, pk, q, op, in_zp,
                                               out_zp, act_min, act_max);
            else tinycc_mve_dw_run(full, 1, in, x0, rowstep, xs, sw, co, ky0, ky1, fg, pk, q, op, in_zp, out_zp,
                                   act_min, act_max);
            ox += n;
        } else {   /* a border pixel: a row at a time, its columns checked (kx0 <= kx < kx1 inside) */
            const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + 3 > w ? w - ix0 : 3;
            int32x4_t a0 = vldrwq_s32(pk);
            for (ky = 0; ky < 3; ++ky) {
                const int32x4_t f0 = vldrbq_s32(fg + 12 * ky), f1 = vldrbq_s32(fg + 12 * ky + 4),
                                f2 = vldrbq_s32(fg + 12 * ky + 8);
                const long xo = x0 + ky * rowstep;
                if (ky < ky0 || ky >= ky1) {
                    a0 = vmlaq_n_s32(a0, vaddq_s32(vaddq_s32(f0, f1), f2), in_zp);
                    continue;
                }
                if (kx0 > 0 || kx1 < 1) a0 = vmlaq_n_s32(a0, f0, in_zp);
                else TINYCC_MVE_DW_MAC(a0, TINYCC_MVE_DW_X(xo), f0);
                if (kx0 > 1 || kx1 < 2) a0 = vmlaq_n_s32(a0, f1, in_zp);
                else TINYCC_MVE_DW_MAC(a0, TINYCC_MVE_DW_X(xo + co), f1);
                if (kx1 < 3) a0 = vmlaq_n_s32(a0, f2, in_zp);
                else TINYCC_MVE_DW_MAC(a0, TINYCC_MVE_DW_X(xo + 2 * co), f2);
            }
            tinycc_mve_dw_store(full, 1, op, co, pk, q, a0, a0, a0, a0, out_zp, act_min, act_max);
            ox += 1;
        }
    }
}

static __attribute__((noinline, unused)) void tinycc_mve_dw_row(const tinycc_dw_shape *s, const int8_t *in,
                                                                const int8_t *fpk, const int32_t *pk0, int8_t *row,
                                                                int b, int oy, int32_t in_zp, int32_t out_zp,
                                                                int32_t act_min, int32_t act_max) {
    const int co = s->co, co4 = co & ~3, sw = s->sw;
    const long base = (long)(b * s->h + oy * s->sh - s->pad_t) * s->w * co;
    int c, oxa, oxb;
    oxa = (s->pad_l + sw - 1) / sw;                              /* pixels oxa <= ox < oxb: columns inside */
    oxb = s->w - 3 + s->pad_l < 0 ? 0 : (s->w - 3 + s->pad_l) / sw + 1;
    if (oxb > s->ow) oxb = s->ow;
    if (oxa > oxb) oxa = oxb;
    for (c = 0; c < co4; c += 4)
        tinycc_mve_dw_group(1, s, in, c, fpk + 9 * c, pk0 + 3 * c, row, base, oy, oxa, oxb, in_zp, out_zp, act_min,
                            act_max);
    if (c < co)
        tinycc_mve_dw_group(0, s, in, c, fpk + 9 * c, pk0 + 3 * c, row, base, oy, oxa, oxb, in_zp, out_zp, act_min,
                            act_max);
}
#undef TINYCC_MVE_DW_X
#undef TINYCC_MVE_DW_MAC
#endif

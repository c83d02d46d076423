/* Helium (MVE) 3x3 depthwise convolution on the packed filter (the rows tinycc_depthwise_conv_2d_s8_fast_row
 * gives tinycc_dw_s8_pf: depth multiplier 1, dilation 1, rq 1 or 2; Cortex-M55/M85, an optimising build;
 * TINYCC_MVE from mve_dot_s8.h), vectorised across channels as CMSIS-NN's MVE depthwise kernels are (NHWC
 * keeps a pixel's channels contiguous): four channels a vector in int32 lanes (VLDRB.S32 widens 4 bytes as
 * it loads; MVE multiplies integer vectors by vectors without accumulating: a multiply, then VADD).
 * A row goes in runs of pixels, each over every channel group (the pointers step 4 channels): stride 1 in
 * blocks of three or two pixels that load each input column once for the taps it meets (n + 2 loads a
 * filter row), the block's first column maybe left of the input or its last right of it; larger strides
 * in blocks of four interior pixels sharing each filter tap's load; any other border pixel alone over its
 * inside columns. Each group's start is its folded bias plus in_zp * f of every tap outside the input
 * (TFLM skips those taps; the folded bias takes in_zp * f of every tap off), so no patch and no bounds
 * check. The last group of a depth that is not a multiple of 4 takes predicated input loads and stores,
 * a pixel at a time through one generic routine (the packed filter and constants are zero-padded to whole
 * groups). Requantisation four channels at a time, TFLM's MultiplyByQuantizedMultiplier(acc, M, -r) +
 * out_zp exactly (the emitter's rq words: multiplier M >= 0, right shift r = (word & 255) + 1 >= 2, no
 * left shift): VQRDMULH is SaturatingRoundingDoublingHighMul; RoundingDivideByPOT rounds half away from
 * zero where VRSHL (by -r) rounds half up, so a negative x takes x - 1 first (x + (x >> 31)): (x - 1 +
 * 2^(r-1)) >> r is x / 2^r rounded half down for x < 0, the same but at halves; x > INT32_MIN since
 * M < 2^31. Pointers are formed only to bytes inside the input. */
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

#if defined(__GNUC__)
#define TINYCC_MVE_DW_INLINE static inline __attribute__((always_inline))
#else
#define TINYCC_MVE_DW_INLINE static inline
#endif
/* a tap's four channels at P (full: a whole group, no predicate) and their product with F added to A: an
 * int8 in an int32 lane is the same value in the lane's low (even) 16-bit half, so VMULLB.S16 (16 x 16 ->
 * 32 bits) gives the exact products, a 16-bit multiply (VMUL.I32 multiplies 32 x 32 bits) */
#define TINYCC_MVE_DW_X(P) (full ? vldrbq_s32(P) : vldrbq_z_s32((P), q))
#define TINYCC_MVE_DW_MUL(X, F) vmullbq_int_s16(vreinterpretq_s16_s32(X), vreinterpretq_s16_s32(F))
#define TINYCC_MVE_DW_MAC(A, P, F) A = vaddq_s32(A, TINYCC_MVE_DW_MUL(TINYCC_MVE_DW_X(P), F))

/* tap K of the filter row fr for the n pixels (a block of tinycc_mve_dw_groups) when column K is inside */
#define TINYCC_MVE_DW_TAP(K)                                                                                     \
    if ((K) >= kx0 && (K) < kx1) {                                                                               \
        const int32x4_t f = vldrbq_s32(fr + 4 * (K));                                                            \
        const int8_t *t = xr + ((K) - kx0) * co;                                                                 \
        TINYCC_MVE_DW_MAC(a0, t, f);                                                                             \
        if (n > 1) TINYCC_MVE_DW_MAC(a1, t + xs, f);                                                             \
        if (n > 2) TINYCC_MVE_DW_MAC(a2, t + 2 * xs, f);                                                         \
        if (n > 3) TINYCC_MVE_DW_MAC(a3, t + 3 * xs, f);                                                         \
    }

/* stride 1 (shared: pixel i's tap kx reads column i + kx): input column J (of n + 2; xr the block's column
 * 1) loaded once and multiplied by each filter tap of the row (f0, f1, f2) whose pixel J - kx is one of the
 * n (<= 3); column 0 outside the input when lmiss, column n + 1 when rmiss */
#define TINYCC_MVE_DW_ACC(I, P)                                                                                  \
    do {                                                                                                         \
        if ((I) == 0) a0 = vaddq_s32(a0, P);                                                                     \
        else if ((I) == 1) a1 = vaddq_s32(a1, P);                                                                \
        else a2 = vaddq_s32(a2, P);                                                                              \
    } while (0)
#define TINYCC_MVE_DW_COL(J)                                                                                     \
    if ((J) < n + 2 && ((J) > 0 || !lmiss) && ((J) < n + 1 || !rmiss)) {                                        \
        const int32x4_t xj = TINYCC_MVE_DW_X(xr + ((J) - 1) * co);                                               \
        if ((J) < n) TINYCC_MVE_DW_ACC((J), TINYCC_MVE_DW_MUL(xj, f0));                                          \
        if ((J) >= 1 && (J) - 1 < n) TINYCC_MVE_DW_ACC((J) - 1, TINYCC_MVE_DW_MUL(xj, f1));                      \
        if ((J) >= 2) TINYCC_MVE_DW_ACC((J) - 2, TINYCC_MVE_DW_MUL(xj, f2));                                     \
    }

/* the group's requantisation (constants pk) of a0..a(n-1), stored co bytes apart from op */
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

/* n pixels xs bytes apart (n a constant at each call: 1..4) over every channel group: columns kx0 <= kx < kx1
 * of rows ky0 <= ky < ky1 inside for each (constants at the common calls: the interior's 0..3, a left or
 * right border pixel's 1..3 or 0..2), x their first pixel's first inside tap at channel 0 when both ranges
 * hold one, op its output; each group's start is its folded bias plus in_zp * f of every outside tap
 * (TFLM skips those taps; the folded bias takes in_zp * f of every tap off). Groups inner: the pointers
 * step 4 channels, the filter 36 bytes, the constants 12 words. */
TINYCC_MVE_DW_INLINE void tinycc_mve_dw_groups(int full, int shared, int n, int kx0, int kx1, int lmiss, int rmiss,
                                               int ky0, int ky1, int ng, const int8_t *x, int xs, int co, int rowstep,
                                               const int8_t *fg,
                                               const int32_t *pk, mve_pred16_t q, int8_t *op, int32_t in_zp,
                                               int32_t out_zp, int32_t act_min, int32_t act_max) {
    const int edge = kx0 > 0 || kx1 < 3, rows = ky0 > 0 || ky1 < 3;
    int g;
    for (g = 0; g < ng; ++g, x += 4, fg += 36, pk += 12, op += 4) {
        int32x4_t a0 = vldrwq_s32(pk), a1, a2, a3;
        const int8_t *xr = x, *fr = fg + 12 * ky0;
        int ky, kx;
        if (rows)
            for (ky = 0; ky < 3; ++ky)
                if (ky < ky0 || ky >= ky1)
                    for (kx = 0; kx < 3; ++kx) a0 = vmlaq_n_s32(a0, vldrbq_s32(fg + 12 * ky + 4 * kx), in_zp);
        if (edge)
            for (ky = ky0; ky < ky1; ++ky)
                for (kx = 0; kx < 3; ++kx)
                    if (kx < kx0 || kx >= kx1) a0 = vmlaq_n_s32(a0, vldrbq_s32(fg + 12 * ky + 4 * kx), in_zp);
        a1 = a2 = a3 = a0;
        if (shared && (lmiss || rmiss)) {   /* the block's outside end columns: in_zp * their inside rows' taps */
            int32x4_t s0 = vdupq_n_s32(0), s2 = s0;
            for (ky = ky0; ky < ky1; ++ky) {
                s0 = vaddq_s32(s0, vldrbq_s32(fg + 12 * ky));
                s2 = vaddq_s32(s2, vldrbq_s32(fg + 12 * ky + 8));
            }
            if (lmiss) a0 = vmlaq_n_s32(a0, s0, in_zp);
            if (rmiss) {
                if (n == 1) a0 = vmlaq_n_s32(a0, s2, in_zp);
                else if (n == 2) a1 = vmlaq_n_s32(a1, s2, in_zp);
                else a2 = vmlaq_n_s32(a2, s2, in_zp);
            }
        }
        if (kx1 > kx0 && ky1 > ky0)
            for (ky = ky0;;) {   /* the pointers step only to rows inside */
                if (shared) {
                    const int32x4_t f0 = vldrbq_s32(fr), f1 = vldrbq_s32(fr + 4), f2 = vldrbq_s32(fr + 8);
                    TINYCC_MVE_DW_COL(0);
                    TINYCC_MVE_DW_COL(1);
                    TINYCC_MVE_DW_COL(2);
                    TINYCC_MVE_DW_COL(3);
                    TINYCC_MVE_DW_COL(4);
                } else {
                    TINYCC_MVE_DW_TAP(0);   /* each inside tap: its filter taps, then each pixel's input */
                    TINYCC_MVE_DW_TAP(1);
                    TINYCC_MVE_DW_TAP(2);
                }
                if (++ky >= ky1) break;
                xr += rowstep;
                fr += 12;
            }
        tinycc_mve_dw_store(full, n, op, co, pk, q, a0, a1, a2, a3, out_zp, act_min, act_max);
    }
}

/* the last group of a depth that is not a multiple of 4 (co - c channels, predicated) for the n pixels of a
 * run, a pixel at a time through the one generic form (rare: every MLPerf Tiny depth is a multiple of 4) */
static __attribute__((noinline, unused)) void tinycc_mve_dw_tail(int shared, int n, int kx0, int kx1, int lmiss,
                                                                 int rmiss, int ky0, int ky1, const int8_t *x,
                                                                 int xs, int co, int rowstep, const int8_t *fg,
                                                                 const int32_t *pk, mve_pred16_t q, int8_t *op,
                                                                 int32_t in_zp, int32_t out_zp, int32_t act_min,
                                                                 int32_t act_max) {
    int i;
    for (i = 0; i < n; ++i, op += co) {
        int a = kx0, b = kx1;
        const int8_t *xi = x + i * xs;
        if (shared) {   /* x is the block's column 1; pixel i's columns i .. i + 2 */
            a = i == 0 && lmiss;
            b = i == n - 1 && rmiss ? 2 : 3;
            xi = x + (i + a - 1) * co;
        }
        tinycc_mve_dw_groups(0, 0, 1, a, b, 0, 0, ky0, ky1, 1, xi, xs, co, rowstep, fg, pk, q, op, in_zp, out_zp,
                             act_min, act_max);
    }
}

/* the pixels of a run over the whole depth: whole groups, then the predicated last one */
TINYCC_MVE_DW_INLINE void tinycc_mve_dw_run(int shared, int n, int kx0, int kx1, int lmiss, int rmiss, int ky0,
                                            int ky1, const int8_t *x, int xs, int co, int rowstep, const int8_t *fpk,
                                            const int32_t *pk0, int8_t *op, int32_t in_zp, int32_t out_zp,
                                            int32_t act_min, int32_t act_max) {
    const int ng = co >> 2, c = co & ~3;
    tinycc_mve_dw_groups(1, shared, n, kx0, kx1, lmiss, rmiss, ky0, ky1, ng, x, xs, co, rowstep, fpk, pk0, 0, op,
                         in_zp, out_zp, act_min, act_max);
    if (c < co)
        tinycc_mve_dw_tail(shared, n, kx0, kx1, lmiss, rmiss, ky0, ky1, x + c, xs, co, rowstep, fpk + 9 * c,
                           pk0 + 3 * c, vctp32q((uint32_t)(co - c)), op + c, in_zp, out_zp, act_min, act_max);
}

#if defined(__GNUC__) && !defined(__clang__)   /* GCC's scheduling before register allocation spills the blocks' */
#define TINYCC_MVE_DW_NOSCHED __attribute__((optimize("no-schedule-insns")))   /* accumulators (8 Q registers) */
#else
#define TINYCC_MVE_DW_NOSCHED
#endif
static __attribute__((noinline, unused)) TINYCC_MVE_DW_NOSCHED void
tinycc_mve_dw_row(const tinycc_dw_shape *s, const int8_t *in, const int8_t *fpk, const int32_t *pk0, int8_t *row, int b,
                  int oy, int32_t in_zp, int32_t out_zp, int32_t act_min, int32_t act_max) {
    const int co = s->co, sw = s->sw, w = s->w, h = s->h, ow = s->ow, pad_l = s->pad_l, iy0 = oy * s->sh - s->pad_t;
    const int ky0 = iy0 < 0 ? (-iy0 < 3 ? -iy0 : 3) : 0;
    const int ky1 = iy0 + 3 > h ? (h - iy0 > ky0 ? h - iy0 : ky0) : 3;
    const int rowstep = w * co, xs = sw * co;
    const int8_t *const xrow = ky1 > ky0 ? in + (long)(b * h + iy0 + ky0) * rowstep : in;   /* first inside row */
    int ox, oxa, oxb;
    oxa = (pad_l + sw - 1) / sw;                                 /* pixels oxa <= ox < oxb: columns inside */
    oxb = w - 3 + pad_l < 0 ? 0 : (w - 3 + pad_l) / sw + 1;
    if (oxb > ow) oxb = ow;
    if (oxa > oxb || ky1 == ky0) oxa = oxb;                      /* no inside row: every pixel a border one */
    for (ox = 0; ox < ow;) {
        const int ix0 = ox * sw - pad_l;
        int8_t *const op = row + ox * co;
        const int left = ow - ox, right = w - ix0 - 1;   /* pixels left; block columns 1..right inside */
        if (sw == 1 && ky1 > ky0 && left >= 2 && right >= 2 && (ix0 >= 0 || (ix0 == -1 && left >= 3 && right >= 4))) {
            /* stride 1: two or three pixels sharing each input column (n + 2 of them, column 1 at x); the
             * first column outside (left of the input) or the last (right of it) skipped */
            const int8_t *x = xrow + (ix0 + 1) * co;
            if (ix0 < 0) {
                tinycc_mve_dw_run(1, 3, 0, 3, 1, 0, ky0, ky1, x, co, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 3;
            } else if (left >= 3 && right >= 4) {
                tinycc_mve_dw_run(1, 3, 0, 3, 0, 0, ky0, ky1, x, co, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 3;
            } else if (left >= 3 && right == 3) {
                tinycc_mve_dw_run(1, 3, 0, 3, 0, 1, ky0, ky1, x, co, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 3;
            } else if (right >= 3) {
                tinycc_mve_dw_run(1, 2, 0, 3, 0, 0, ky0, ky1, x, co, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 2;
            } else {
                tinycc_mve_dw_run(1, 2, 0, 3, 0, 1, ky0, ky1, x, co, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 2;
            }
        } else if (ox >= oxa && ox < oxb) {   /* interior pixels four a block, a filter load each tap, or one */
            const int8_t *x = xrow + ix0 * co;
            if (oxb - ox >= 4) {
                tinycc_mve_dw_run(0, 4, 0, 3, 0, 0, ky0, ky1, x, xs, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 4;
            } else {
                tinycc_mve_dw_run(0, 1, 0, 3, 0, 0, ky0, ky1, x, xs, co, rowstep, fpk, pk0, op, in_zp, out_zp, act_min,
                                  act_max);
                ox += 1;
            }
        } else {   /* a border pixel alone: its inside columns kx0 <= kx < kx1 (maybe none) */
            const int kx0 = ix0 < 0 ? (-ix0 < 3 ? -ix0 : 3) : 0;
            const int kx1 = ix0 + 3 > w ? (w - ix0 > kx0 ? w - ix0 : kx0) : 3;
            const int8_t *x = kx1 > kx0 ? xrow + (ix0 + kx0) * co : xrow;
            if (kx0 == 1 && kx1 == 3)
                tinycc_mve_dw_run(0, 1, 1, 3, 0, 0, ky0, ky1, x, xs, co, rowstep, fpk, pk0, op, in_zp, out_zp,
                                  act_min, act_max);
            else if (kx0 == 0 && kx1 == 2)
                tinycc_mve_dw_run(0, 1, 0, 2, 0, 0, ky0, ky1, x, xs, co, rowstep, fpk, pk0, op, in_zp, out_zp,
                                  act_min, act_max);
            else
                tinycc_mve_dw_run(0, 1, kx0, kx1, 0, 0, ky0, ky1, x, xs, co, rowstep, fpk, pk0, op, in_zp, out_zp,
                                  act_min, act_max);
            ox += 1;
        }
    }
}
#undef TINYCC_MVE_DW_X
#undef TINYCC_MVE_DW_MAC
#undef TINYCC_MVE_DW_MUL
#undef TINYCC_MVE_DW_TAP
#undef TINYCC_MVE_DW_ACC
#undef TINYCC_MVE_DW_COL
#undef TINYCC_MVE_DW_NOSCHED
#endif

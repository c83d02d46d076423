/* CONV_2D kernels (NHWC input, OHWI filter). Out-of-bounds taps are skipped, as in TFLM. */
typedef struct {
    int n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pad_t, pad_l;
} tinycc_conv_shape;

/* output row oy of image b (ow * co bytes at `row`), TFLM's reference loops */
static inline void tinycc_conv_2d_s8_row(const tinycc_conv_shape *s, const int8_t *in, const int8_t *filter,
                                         const int32_t *bias, int8_t *row, int b, int oy, int32_t in_zp,
                                         int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                         int32_t act_min, int32_t act_max) {
    int ox, oc, ky, kx, ic;
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        int32_t acc = bias ? bias[oc] : 0;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                const int8_t *x, *f;
                if (ix < 0 || ix >= s->w) continue;
                x = in + ((b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += (int32_t)f[ic] * ((int32_t)x[ic] - in_zp);
            }
        }
        acc = tinycc_mbqm(acc, mult[oc], shift[oc]) + out_zp;
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(acc, act_min, act_max);
    }
}

static inline void tinycc_conv_2d_s8(const tinycc_conv_shape *s, const int8_t *in, const int8_t *filter,
                                     const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                     const int32_t *mult, const int32_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_s8_row(s, in, filter, bias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp,
                              out_zp, mult, shift, act_min, act_max);
}

static inline void tinycc_conv_2d_s16(const tinycc_conv_shape *s, const int16_t *in, const int8_t *filter,
                                      const int64_t *bias, int16_t *out, int32_t out_zp,
                                      const int32_t *mult, const int32_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        int64_t acc = 0;
        int32_t r;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                const int16_t *x;
                const int8_t *f;
                if (ix < 0 || ix >= s->w) continue;
                x = in + ((b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += (int64_t)f[ic] * x[ic];
            }
        }
        if (bias) acc += bias[oc];
        r = tinycc_mbqm64(acc, mult[oc], shift[oc]) + out_zp;
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] = (int16_t)tinycc_clamp(r, act_min, act_max);
    }
}

static inline void tinycc_conv_2d_f32(const tinycc_conv_shape *s, const float *in, const float *filter,
                                      const float *bias, float *out, float act_min, float act_max) {
    int b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        float acc = 0.0f;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                const float *x, *f;
                if (ix < 0 || ix >= s->w) continue;
                x = in + ((b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += f[ic] * x[ic];
            }
        }
        if (bias) acc += bias[oc];
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] = tinycc_clampf(acc, act_min, act_max);
    }
}

/* Fast int8 convolution (dilation 1; needs dot_s8.h). `kbias[oc]` is bias[oc] - in_zp * sum(filter[oc]),
 * folded at compile time: a pixel whose taps all lie inside the input is kh dot products of kw*ci
 * contiguous bytes, two pixels by two output channels at a time. A pixel touching the padding copies
 * its patch to the stack with the outside taps set to in_zp (they then add f * 0, as TFLM's skipped
 * taps) and takes one dot product per channel with `kbias`; patches over TINYCC_CONV_PATCH_BYTES
 * take dot products over the inside taps with the plain `bias` minus in_zp * their filter sum.
 * All give TFLM's int32 sums exactly. */
#ifndef TINYCC_CONV_PATCH_BYTES
#define TINYCC_CONV_PATCH_BYTES 256   /* stack bytes for a border pixel's patch (larger patches: tap loops) */
#endif

static inline void tinycc_conv_s8_border(const tinycc_conv_shape *s, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *kbias, int8_t *out, int b, int oy, int ox, int32_t in_zp,
                                  int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                  int32_t act_min, int32_t act_max) {
    const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l;
    const int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = iy0 + s->kh > s->h ? s->h - iy0 : s->kh;
    const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + s->kw > s->w ? s->w - ix0 : s->kw;
    const int len = (kx1 - kx0) * s->ci;   /* the taps inside the input only, as in TFLM */
    int oc, ky;
    if (s->kh * s->kw * s->ci <= TINYCC_CONV_PATCH_BYTES) {
        /* the pixel's patch with the taps outside the input set to in_zp (they add f * 0, as the
         * skipped taps of TFLM), then the interior routine with the folded bias */
        int8_t patch[TINYCC_CONV_PATCH_BYTES];
        const int prow = s->kw * s->ci, flen = s->kh * prow;
        memset(patch, (int)in_zp, (size_t)flen);
        for (ky = ky0; ky < ky1; ++ky)
            memcpy(patch + ky * prow + kx0 * s->ci, in + ((b * s->h + iy0 + ky) * s->w + ix0 + kx0) * s->ci,
                   (size_t)len);
        for (oc = 0; oc < s->co; ++oc)   /* the patch and each filter are contiguous: one dot product */
            out[oc] = tinycc_requant_s8(tinycc_dot_s8(filter + oc * flen, patch, flen, kbias[oc]), mult[oc], shift[oc],
                                        out_zp, act_min, act_max);
        return;
    }
    for (oc = 0; oc < s->co; ++oc) {   /* bias + sum f * x - in_zp * sum f over the taps inside */
        int32_t acc = bias[oc], fsum = 0;
        for (ky = ky0; ky < ky1; ++ky) {
            const int8_t *x = in + ((b * s->h + iy0 + ky) * s->w + ix0 + kx0) * s->ci;
            const int8_t *f = filter + ((oc * s->kh + ky) * s->kw + kx0) * s->ci;
            acc = tinycc_dot_s8(f, x, len, acc);
            fsum = tinycc_sum_s8(f, len, fsum);
        }
        out[oc] = tinycc_requant_s8(acc - in_zp * fsum, mult[oc], shift[oc], out_zp, act_min, act_max);
    }
}

/* `count` interior pixels, the first at x, the next ones `xstep` bytes on; outputs from `out` on */
static inline void tinycc_conv_s8_run(const tinycc_conv_shape *s, const int8_t *x, int xstep, int count,
                               const int8_t *filter, const int32_t *kbias, int8_t *out, int32_t out_zp,
                               const int32_t *mult, const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int len = s->kw * s->ci, rowstep = s->w * s->ci, flen = s->kh * len, co = s->co;
    const int co2 = co - co % 2, count2 = count - count % 2;
    int p, oc, ky;
    for (p = 0; p < count2; p += 2, x += 2 * xstep, out += 2 * co) {
        const int8_t *x1 = x + xstep;
        for (oc = 0; oc < co2; oc += 2) {
            const int8_t *f0 = filter + oc * flen, *f1 = f0 + flen;
            int32_t acc[4];
            acc[0] = acc[2] = kbias[oc];
            acc[1] = acc[3] = kbias[oc + 1];
            for (ky = 0; ky < s->kh; ++ky)
                tinycc_dot_s8_2x2(f0 + ky * len, f1 + ky * len, x + ky * rowstep, x1 + ky * rowstep, len, acc);
            out[oc] = tinycc_requant_s8(acc[0], mult[oc], shift[oc], out_zp, act_min, act_max);
            out[oc + 1] = tinycc_requant_s8(acc[1], mult[oc + 1], shift[oc + 1], out_zp, act_min, act_max);
            out[co + oc] = tinycc_requant_s8(acc[2], mult[oc], shift[oc], out_zp, act_min, act_max);
            out[co + oc + 1] = tinycc_requant_s8(acc[3], mult[oc + 1], shift[oc + 1], out_zp, act_min, act_max);
        }
        if (co2 < co) {
            const int8_t *f0 = filter + co2 * flen;
            int32_t a0 = kbias[oc], a1 = kbias[oc];
            for (ky = 0; ky < s->kh; ++ky) {
                a0 = tinycc_dot_s8(f0 + ky * len, x + ky * rowstep, len, a0);
                a1 = tinycc_dot_s8(f0 + ky * len, x1 + ky * rowstep, len, a1);
            }
            out[oc] = tinycc_requant_s8(a0, mult[oc], shift[oc], out_zp, act_min, act_max);
            out[co + oc] = tinycc_requant_s8(a1, mult[oc], shift[oc], out_zp, act_min, act_max);
        }
    }
    if (count2 < count) {
        for (oc = 0; oc < co2; oc += 2) {
            const int8_t *f0 = filter + oc * flen, *f1 = f0 + flen;
            int32_t acc[2];
            acc[0] = kbias[oc];
            acc[1] = kbias[oc + 1];
            for (ky = 0; ky < s->kh; ++ky)
                tinycc_dot_s8_1x2(f0 + ky * len, f1 + ky * len, x + ky * rowstep, len, acc);
            out[oc] = tinycc_requant_s8(acc[0], mult[oc], shift[oc], out_zp, act_min, act_max);
            out[oc + 1] = tinycc_requant_s8(acc[1], mult[oc + 1], shift[oc + 1], out_zp, act_min, act_max);
        }
        if (co2 < co) {
            int32_t a0 = kbias[oc];
            for (ky = 0; ky < s->kh; ++ky) a0 = tinycc_dot_s8(filter + oc * flen + ky * len, x + ky * rowstep, len, a0);
            out[oc] = tinycc_requant_s8(a0, mult[oc], shift[oc], out_zp, act_min, act_max);
        }
    }
}

/* output row oy of image b, fast: interior pixels ox0 <= ox < ox1 of an interior row in runs
 * (tinycc_interior_cols), the others through the border routine */
static inline void tinycc_conv_2d_s8_fast_row(const tinycc_conv_shape *s, const int8_t *in, const int8_t *filter,
                                              const int32_t *bias, const int32_t *kbias, int8_t *row, int b, int oy,
                                              int ox0, int ox1, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                              const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int iy = oy * s->sh - s->pad_t;
    int ox;
    if (iy < 0 || iy + s->kh > s->h) {
        for (ox = 0; ox < s->ow; ++ox)
            tinycc_conv_s8_border(s, in, filter, bias, kbias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                                  act_min, act_max);
        return;
    }
    for (ox = 0; ox < ox0; ++ox)
        tinycc_conv_s8_border(s, in, filter, bias, kbias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                              act_min, act_max);
    tinycc_conv_s8_run(s, in + ((b * s->h + iy) * s->w + ox0 * s->sw - s->pad_l) * s->ci, s->sw * s->ci,
                       ox1 - ox0, filter, kbias, row + ox0 * s->co, out_zp, mult, shift, act_min, act_max);
    for (ox = ox1; ox < s->ow; ++ox)
        tinycc_conv_s8_border(s, in, filter, bias, kbias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                              act_min, act_max);
}

static inline void tinycc_conv_2d_s8_fast(const tinycc_conv_shape *s, const int8_t *in, const int8_t *filter,
                                   const int32_t *bias, const int32_t *kbias, int8_t *out, int32_t in_zp,
                                   int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                   int32_t act_min, int32_t act_max) {
    int b, oy, ox0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    if (s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->oh == s->h && s->ow == s->w) {
        /* 1x1, stride 1: one matrix product over every pixel */
        tinycc_conv_s8_run(s, in, s->ci, s->n * s->h * s->w, filter, kbias, out, out_zp, mult, shift,
                           act_min, act_max);
        return;
    }
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_s8_fast_row(s, in, filter, bias, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy,
                                   ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
}

/* ---- im2col kernels (int8, dilation 1; needs dot_s8.h) ----
 * Each output pixel's patch (kh*kw*ci taps; taps outside the input set to in_zp, so with the folded
 * bias `kbias` they add f * 0 as TFLM's skipped taps; zeros up to k4, the next multiple of 4) is
 * widened to int16 once into a stack column and reused by every output channel. The filter was
 * packed at compile time (conv_2d.py): output channels in pairs, a pair's 4-tap groups interleaved
 * (c0 g0, c1 g0, c0 g1, c1 g1, ...), each channel zero-padded to k4 taps, an odd last channel on its
 * own; stored as int32 words (byte j of a word, from the least significant, is tap j of its group).
 * Two pixels by two channels a pass. With the DSP extension a group x0..x3 is stored as the
 * words [x0,x2] [x1,x3] (SXTB16 and SXTB16 ROR 8), the pairs a weight word's own SXTB16s give, so
 * each SMLAD adds two products with no reordering; the two pixels' columns are interleaved group by
 * group (px0 [x0,x2], px0 [x1,x3], px1 [x0,x2], px1 [x1,x3]). Plain C: int16 in natural order, same
 * interleave. Integer sums in any order are TFLM's exactly. */
#ifndef TINYCC_CONV_COLS_BYTES
#define TINYCC_CONV_COLS_BYTES 2304   /* stack bytes for two int16 columns: k4 <= 576 (conv_2d.py checks) */
#endif

typedef union {
    int32_t w[TINYCC_CONV_COLS_BYTES / 4];
    int16_t h[TINYCC_CONV_COLS_BYTES / 2];
} tinycc_cols;

/* n (a multiple of 4) int8 taps at x into pixel slot p's column from group g on */
static inline void tinycc_cols_widen(tinycc_cols *c, int p, int g, const int8_t *x, int n) {
    int i;
#ifdef TINYCC_DSP
    int32_t *d = c->w + 4 * g + 2 * p;
    for (i = 0; i < n; i += 4, d += 4) {
        const int32_t v = tinycc_ld4(x + i);
        d[0] = __sxtb16(v);
        d[1] = tinycc_sxtb16_ror8(v);
    }
#else
    int16_t *d = c->h + 8 * g + 4 * p;
    for (i = 0; i < n; i += 4, d += 8) {
        d[0] = x[i];
        d[1] = x[i + 1];
        d[2] = x[i + 2];
        d[3] = x[i + 3];
    }
#endif
}

/* pixel (b, oy, ox)'s column into slot p: interior rows straight from the input when a row of
 * kw*ci taps is whole groups, else through a zero-point-filled patch (conv_2d.py checks it fits) */
static inline void tinycc_cols_pixel(const tinycc_conv_shape *s, const int8_t *in, tinycc_cols *c, int p, int b,
                                     int oy, int ox, int32_t in_zp) {
    const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l, L = s->kw * s->ci;
    const int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = iy0 + s->kh > s->h ? s->h - iy0 : s->kh;
    const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + s->kw > s->w ? s->w - ix0 : s->kw;
    const int len = (kx1 - kx0) * s->ci;
    int8_t patch[TINYCC_CONV_PATCH_BYTES];
    int ky;
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
        memset(patch, (int)in_zp, (size_t)k);
        memset(patch + k, 0, (size_t)(k4 - k));
        if (len > 0)
            for (ky = ky0; ky < ky1; ++ky)
                memcpy(patch + ky * L + kx0 * s->ci, in + ((b * s->h + iy0 + ky) * s->w + ix0 + kx0) * s->ci,
                       (size_t)len);
        tinycc_cols_widen(c, p, 0, patch, k4);
    }
}

/* The im2col kernels' requantisation, TFLM's MultiplyByQuantizedMultiplier exactly for a right
 * shift e = -shift >= 0 and a multiplier M in [2^30, 2^31), from four words per channel
 * rq = {M2, h, nz, e} (conv_2d.py): M2 = 2M - 2^32 (as int32), h = 2^(e-1) (0 when e = 0), nz = -1
 * when e > 0 (else 0). SaturatingRoundingDoublingHighMul(acc, M) = floor((2 acc M + 2^31) / 2^32)
 * = acc + floor((acc M2 + 2^31) / 2^32): one SMMLAR with acc as the accumulator (exact 64-bit sum).
 * RoundingDivideByPOT(x, e) = (x + h - (x < 0 when e > 0)) >> e. The emitter checks that
 * |bias - in_zp * sum(w)| + 128 * sum|w| + 1 + h < 2^31 per channel, so no int32 sum overflows. */
static inline int32_t tinycc_cols_rq(int32_t acc, const int32_t *rq) {
    int32_t x;
#ifdef TINYCC_DSP
    __asm__("smmlar %0, %1, %2, %1" : "=r"(x) : "r"(acc), "r"(rq[0]));
#else
    x = (int32_t)(((int64_t)acc * ((int64_t)rq[0] + 4294967296LL) + 2147483648LL) >> 32);
#endif
    return (x + rq[1] + ((x >> 31) & rq[2])) >> rq[3];
}

/* two accumulators of one channel (its four words loaded once, before any output byte is stored:
 * an int8 store may alias them) */
static inline void tinycc_cols_rq2(int32_t a, int32_t b, const int32_t *rq, int32_t *va, int32_t *vb) {
    const int32_t m = rq[0], h = rq[1], nz = rq[2], e = rq[3];
    int32_t x, y;
#ifdef TINYCC_DSP
    __asm__("smmlar %0, %1, %2, %1" : "=r"(x) : "r"(a), "r"(m));
    __asm__("smmlar %0, %1, %2, %1" : "=r"(y) : "r"(b), "r"(m));
#else
    x = (int32_t)(((int64_t)a * ((int64_t)m + 4294967296LL) + 2147483648LL) >> 32);
    y = (int32_t)(((int64_t)b * ((int64_t)m + 4294967296LL) + 2147483648LL) >> 32);
#endif
    *va = (x + h + ((x >> 31) & nz)) >> e;
    *vb = (y + h + ((y >> 31) & nz)) >> e;
}

#if defined(TINYCC_DSP) && defined(__thumb2__)
#define TINYCC_COLS_ASM 1   /* Thumb-2: LDRD takes any two registers (A32 wants an even/odd pair) */
#endif
#ifndef TINYCC_DSP
/* tap j (0..3) of a packed filter word: its byte j, sign-extended */
static inline int32_t tinycc_wtap(int32_t w, int j) {
    return (int32_t)((uint32_t)w << (24 - 8 * j)) >> 24;
}
#endif

/* acc[0..3] += (px0, ch0), (px0, ch1), (px1, ch0), (px1, ch1) over g >= 1 groups; w: a packed channel
 * pair (one word per channel and group). Thumb-2 DSP: 16 instructions a group of 16 MACs (3 LDRD,
 * 4 SXTB16, 8 SMLAD, the loop over two groups), in assembly so that the 13 live values stay in
 * registers. */
static inline void tinycc_cols_2x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc) {
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
}

/* acc[0..1] += (px0, ch0), (px0, ch1) */
static inline void tinycc_cols_1x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1];
#ifdef TINYCC_COLS_ASM
    const int32_t *x = c->w;
    int32_t wa, wb, wah, wbh, xa, xb;
    __asm__ volatile(
        "1:\n\t"
        "ldrd %[wa], %[wb], [%[w]], #8\n\t"
        "ldrd %[xa], %[xb], [%[x]], #16\n\t"
        "sxtb16 %[wah], %[wa], ror #8\n\t"
        "sxtb16 %[wa], %[wa]\n\t"
        "sxtb16 %[wbh], %[wb], ror #8\n\t"
        "sxtb16 %[wb], %[wb]\n\t"
        "smlad %[a0], %[xa], %[wa], %[a0]\n\t"
        "smlad %[a0], %[xb], %[wah], %[a0]\n\t"
        "smlad %[a1], %[xa], %[wb], %[a1]\n\t"
        "smlad %[a1], %[xb], %[wbh], %[a1]\n\t"
        "subs %[g], %[g], #1\n\t"
        "bne 1b\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [x] "+r"(x), [w] "+r"(w), [g] "+r"(g),
          [wa] "=&r"(wa), [wb] "=&r"(wb), [wah] "=&r"(wah), [wbh] "=&r"(wbh), [xa] "=&r"(xa), [xb] "=&r"(xb)
        :
        : "cc", "memory");
#elif defined(TINYCC_DSP)
    const int32_t *x = c->w;
    for (; g > 0; --g, x += 4, w += 2) {
        a0 = __smlad(x[0], __sxtb16(w[0]), a0);
        a0 = __smlad(x[1], tinycc_sxtb16_ror8(w[0]), a0);
        a1 = __smlad(x[0], __sxtb16(w[1]), a1);
        a1 = __smlad(x[1], tinycc_sxtb16_ror8(w[1]), a1);
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

#ifdef TINYCC_DSP
/* v clamped to [act_min, act_max]: one SSAT to int8, the activation's bounds only when `clip` */
static inline int8_t tinycc_cols_sat(int32_t v, int clip, int32_t act_min, int32_t act_max) {
    v = __ssat(v, 8);
    if (clip) v = tinycc_clamp(v, act_min, act_max);
    return (int8_t)v;
}
#endif

/* every output channel of the np (1 or 2) pixels whose columns are in c: outputs at o, o + co */
#ifdef TINYCC_DSP
#define TINYCC_COLS_SAT(v) tinycc_cols_sat(v, clip, act_min, act_max)
#else
#define TINYCC_COLS_SAT(v) (int8_t)tinycc_clamp(v, act_min, act_max)
#endif
#define TINYCC_COLS_OUT(acc, q) TINYCC_COLS_SAT(tinycc_cols_rq(acc, q) + out_zp)
static inline void tinycc_cols_block(const tinycc_conv_shape *s, const tinycc_cols *c, int np, const int32_t *wpk,
                                     const int32_t *kbias, int8_t *o, int32_t out_zp, const int32_t *rq,
                                     int32_t act_min, int32_t act_max) {
    const int co = s->co, co2 = co & ~1, g = (s->kh * s->kw * s->ci + 3) / 4;
#ifdef TINYCC_DSP
    const int clip = act_min > -128 || act_max < 127;
#endif
    int oc;
    if (np == 2) {
        const int32_t *w = wpk, *q = rq, *kb = kbias;
        int8_t *op = o;
        for (oc = 0; oc < co2; oc += 2, w += 2 * g, q += 8, kb += 2, op += 2) {
            int32_t acc[4], v0, v1, v2, v3;
            acc[0] = acc[2] = kb[0];
            acc[1] = acc[3] = kb[1];
            tinycc_cols_2x2(c, w, g, acc);
            tinycc_cols_rq2(acc[0], acc[2], q, &v0, &v2);
            tinycc_cols_rq2(acc[1], acc[3], q + 4, &v1, &v3);
            op[0] = TINYCC_COLS_SAT(v0 + out_zp);
            op[1] = TINYCC_COLS_SAT(v1 + out_zp);
            op[co] = TINYCC_COLS_SAT(v2 + out_zp);
            op[co + 1] = TINYCC_COLS_SAT(v3 + out_zp);
        }
    } else {
        for (oc = 0; oc < co2; oc += 2) {
            int32_t acc[2];
            acc[0] = kbias[oc];
            acc[1] = kbias[oc + 1];
            tinycc_cols_1x2(c, wpk + oc * g, g, acc);
            o[oc] = TINYCC_COLS_OUT(acc[0], rq + 4 * oc);
            o[oc + 1] = TINYCC_COLS_OUT(acc[1], rq + 4 * oc + 4);
        }
    }
    if (co2 < co) {
        int32_t acc[2];
        acc[0] = acc[1] = kbias[co2];
        tinycc_cols_nx1(c, wpk + co2 * g, g, np, acc);
        o[co2] = TINYCC_COLS_OUT(acc[0], rq + 4 * co2);
        if (np == 2) o[co + co2] = TINYCC_COLS_OUT(acc[1], rq + 4 * co2);
    }
}
#undef TINYCC_COLS_OUT
#undef TINYCC_COLS_SAT

/* output row oy of image b (ow * co bytes at `row`), two pixels a pass */
static inline void tinycc_conv_2d_s8_cols_row(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                              const int32_t *kbias, int8_t *row, int b, int oy, int32_t in_zp,
                                              int32_t out_zp, const int32_t *rq, int32_t act_min, int32_t act_max) {
    tinycc_cols c;
    int ox;
    for (ox = 0; ox < s->ow; ox += 2) {
        const int np = ox + 1 < s->ow ? 2 : 1;
        tinycc_cols_pixel(s, in, &c, 0, b, oy, ox, in_zp);
        if (np == 2) tinycc_cols_pixel(s, in, &c, 1, b, oy, ox + 1, in_zp);
        tinycc_cols_block(s, &c, np, wpk, kbias, row + ox * s->co, out_zp, rq, act_min, act_max);
    }
}

/* a 1x1, stride-1 convolution whose pixels' channels are whole groups: one matrix product */
static inline int tinycc_cols_pointwise(const tinycc_conv_shape *s) {
    return s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->oh == s->h && s->ow == s->w && s->ci % 4 == 0;
}

/* every pixel in turn, two a pass across rows and images, first to last or (`backward`) last to
 * first. A pass widens both pixels' inputs before it writes their outputs, so `out` may be `in`
 * itself when the outputs never overtake the unread inputs: forward with co <= ci, backward with
 * co >= ci (in place without a ring). */
static inline void tinycc_conv_2d_s8_cols_pw(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                             const int32_t *kbias, int8_t *out, int backward, int32_t out_zp,
                                             const int32_t *rq, int32_t act_min, int32_t act_max) {
    tinycc_cols c;
    const long count = (long)s->n * s->h * s->w;
    long k;
    for (k = 0; k < count; k += 2) {
        const int np = k + 1 < count ? 2 : 1;
        const long i = backward ? count - k - np : k;   /* the pass's first pixel */
        tinycc_cols_widen(&c, 0, 0, in + i * s->ci, s->ci);
        if (np == 2) tinycc_cols_widen(&c, 1, 0, in + (i + 1) * s->ci, s->ci);
        tinycc_cols_block(s, &c, np, wpk, kbias, out + i * s->co, out_zp, rq, act_min, act_max);
    }
}

/* `wpk`: the packed filter, `kbias`: bias - in_zp * sum(filter), `rq`: 4 words per output channel
 * (tinycc_cols_rq) */
static inline void tinycc_conv_2d_s8_cols(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                          const int32_t *kbias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                          const int32_t *rq, int32_t act_min, int32_t act_max) {
    int b, oy;
    if (tinycc_cols_pointwise(s)) {
        tinycc_conv_2d_s8_cols_pw(s, in, wpk, kbias, out, 0, out_zp, rq, act_min, act_max);
        return;
    }
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_s8_cols_row(s, in, wpk, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp,
                                   out_zp, rq, act_min, act_max);
}

/* in place (kernels/inplace.h), im2col rows */
static inline void tinycc_conv_2d_s8_cols_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int32_t *wpk, const int32_t *kbias, int8_t *ring,
                                                  int32_t in_zp, int32_t out_zp, const int32_t *rq,
                                                  int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    if (tinycc_cols_pointwise(s) && s->n == 1) {    /* straight over the input: no ring, no copies */
        tinycc_conv_2d_s8_cols_pw(s, buf, wpk, kbias, buf, s->co > s->ci, out_zp, rq, act_min, act_max);
        return;
    }
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s8_cols_row(s, buf, wpk, kbias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp, rq,
                                   act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* In place (kernels/inplace.h): the output over its input `buf` (batch 1), rows through the ring.
 * A 1x1 stride-1 convolution's row is one matrix product of ow pixels. With `bias` NULL, `filter`
 * is the im2col kernel's packed filter (conv_2d.py's packed_filter, an int32 array), `mult` its 4-word
 * requantisation table (tinycc_cols_rq; `shift` unused) and the rows are im2col rows. */
static inline void tinycc_conv_2d_s8_fast_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                  const int32_t *kbias, int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                  const int32_t *mult, const int32_t *shift,
                                                  int32_t act_min, int32_t act_max) {
    int ox0, step, first = tinycc_ring_start(r), count = 0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    if (bias == NULL) {
        tinycc_conv_2d_s8_cols_inplace(s, r, buf, (const int32_t *)(const void *)filter, kbias, ring, in_zp, out_zp,
                                       mult, act_min, act_max);
        return;
    }
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s8_fast_row(s, buf, filter, bias, kbias, tinycc_ring_slot(r, ring, oy), 0, oy, ox0, ox1,
                                   in_zp, out_zp, mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* in place, reference arithmetic (dilations, folded bias out of int32) */
static inline void tinycc_conv_2d_s8_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r, int8_t *buf,
                                             const int8_t *filter, const int32_t *bias, int8_t *ring, int32_t in_zp,
                                             int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                             int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s8_row(s, buf, filter, bias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp, mult,
                              shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

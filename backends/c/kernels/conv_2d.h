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
        uint32_t acc = bias ? (uint32_t)bias[oc] : 0u;     /* wraps like TFLM's int32 sum */
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                const int8_t *x, *f;
                if (ix < 0 || ix >= s->w) continue;
                x = in + ((b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += (uint32_t)((int32_t)f[ic] * ((int32_t)x[ic] - in_zp));
            }
        }
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], shift[oc]), out_zp),
                                                    act_min, act_max);
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
        r = tinycc_wadd(tinycc_mbqm64(acc, mult[oc], shift[oc]), out_zp);
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
 * bias kb they add f * 0 as TFLM's skipped taps; zeros up to k4, the next multiple of 4) is
 * widened to int16 once into a stack column and reused by every output channel. The filter was
 * packed at compile time (conv_2d.py): output channels in pairs, a pair's 4-tap groups interleaved
 * (c0 g0, c1 g0, c0 g1, c1 g1, ...), each channel zero-padded to k4 taps, an odd last channel on its
 * own; stored as int32 words (byte j of a word, from the least significant, is tap j of its group),
 * each pair's words between its folded biases and its requantisation words (tinycc_cols_block).
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

/* n bytes from x to d (no overlap): words (unaligned: memcpy of 4, one LDR/STR on the Cortex-M4), the
 * last word ending at byte n, rewriting up to 3 bytes already copied */
static inline void tinycc_cols_copy(int8_t *d, const int8_t *x, int n) {
    int i;
    int32_t v, u;
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

#if defined(TINYCC_DSP) && !defined(__ARM_BIG_ENDIAN)
#define TINYCC_COLS_ROW9 1
/* an interior pixel's column into slot p when its patch is kh = 3 rows of L = 9 bytes (a 3x3 filter on
 * RGB: 27 taps, 7 groups, the last one's fourth tap 0) from the rows at x, x + rowstep, x + 2 rowstep:
 * the groups assembled in registers from loads inside the rows (byte j of a word is tap j of its group,
 * little-endian), no patch */
static inline void tinycc_cols_row9(tinycc_cols *c, int p, const int8_t *x, int rowstep) {
    const int8_t *r1 = x + rowstep, *r2 = r1 + rowstep;
    int32_t *d = c->w + 2 * p;
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
#else
#define TINYCC_COLS_OUTLINED static
#endif

/* pixel (b, oy, ox)'s column into slot p: interior rows straight from the input when a row of
 * kw*ci taps is whole groups, else through a zero-point-filled patch (conv_2d.py checks it fits) */
TINYCC_COLS_OUTLINED void tinycc_cols_pixel(const tinycc_conv_shape *s, const int8_t *in, tinycc_cols *c, int p, int b,
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
 * exactly, for a right shift e = -shift >= 1 and a multiplier M in [2^30, 2^31), from the words
 * M2 = 2M - 2^32 (as int32), h = 2^(e-1) + z * 2^e and e (conv_2d.py's cols_table; bits 5 and up of
 * the e word are ignored: the last channel pair's e0 carries a mark in bit 8, tinycc_cols_block2_asm).
 * SaturatingRoundingDoublingHighMul(acc, M) = floor((2 acc M + 2^31) / 2^32) = acc + floor((acc M2 +
 * 2^31) / 2^32): one SMMLAR with acc as the accumulator (exact 64-bit sum). RoundingDivideByPOT(x, e)
 * + z = (x + 2^(e-1) - (x < 0)) >> e + z = (x + h + (x >> 31)) >> e (adding z * 2^e before an
 * arithmetic shift adds z after it). The emitter checks |acc| and |x| + |h| + 1 stay under 2^31. */
static inline int32_t tinycc_cols_rq(int32_t acc, int32_t m, int32_t h, int32_t e) {
    int32_t x;
#ifdef TINYCC_DSP
    __asm__("smmlar %0, %1, %2, %1" : "=r"(x) : "r"(acc), "r"(m));
#else
    x = (int32_t)(((int64_t)acc * ((int64_t)m + 4294967296LL) + 2147483648LL) >> 32);
#endif
    return (x + h + (x >> 31)) >> (e & 31);
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

#ifdef TINYCC_COLS_ASM
/* tinycc_cols_block's two-pixel loop without activation clipping in one assembly loop: every channel
 * pair from op (co2 > 0 of them) with its words at w (tinycc_cols_block), its group loop as
 * tinycc_cols_2x2's (one variant for an odd g, one for an even g; the first group adds pixel 1's
 * products to the folded biases into its own accumulators before pixel 0's: no copies), then its 4
 * outputs: SMMLAR, ADD, ADD ASR #31, ASR, SSAT, STRB each; it stops after the pair whose e0 word has
 * bit 8 set (the last pair's: conv_2d.py's cols_words; ASR by a register takes its low byte). The 13
 * registers hold the MAC loop's live values; the column base, g, the output pointer and co wait in 16
 * bytes the assembly takes below the stack pointer (and gives back), two a LDRD. Returns w after the
 * last pair. */
#define TINYCC_COLS_GROUP /* one group: 16 MACs */ \
    "ldrd %[t0], %[t1], [%[w]], #8\n\t" \
    "ldrd %[t4], %[t5], [%[x]], #8\n\t" \
    "sxtb16 %[t2], %[t0], ror #8\n\t" \
    "sxtb16 %[t0], %[t0]\n\t" \
    "sxtb16 %[t3], %[t1], ror #8\n\t" \
    "sxtb16 %[t1], %[t1]\n\t" \
    "smlad %[a0], %[t4], %[t0], %[a0]\n\t" \
    "smlad %[a0], %[t5], %[t2], %[a0]\n\t" \
    "smlad %[a1], %[t4], %[t1], %[a1]\n\t" \
    "smlad %[a1], %[t5], %[t3], %[a1]\n\t" \
    "ldrd %[t4], %[t5], [%[x]], #8\n\t" \
    "smlad %[a2], %[t4], %[t0], %[a2]\n\t" \
    "smlad %[a2], %[t5], %[t2], %[a2]\n\t" \
    "smlad %[a3], %[t4], %[t1], %[a3]\n\t" \
    "smlad %[a3], %[t5], %[t3], %[a3]\n\t"
#define TINYCC_COLS_FIRST /* the first group: pixel 1 (x + 8) from the folded biases, then pixel 0 */ \
    "ldrd %[t0], %[t1], [%[w]], #8\n\t" \
    "ldrd %[t4], %[t5], [%[x], #8]\n\t" \
    "sxtb16 %[t2], %[t0], ror #8\n\t" \
    "sxtb16 %[t0], %[t0]\n\t" \
    "sxtb16 %[t3], %[t1], ror #8\n\t" \
    "sxtb16 %[t1], %[t1]\n\t" \
    "smlad %[a2], %[t4], %[t0], %[a0]\n\t" \
    "smlad %[a2], %[t5], %[t2], %[a2]\n\t" \
    "smlad %[a3], %[t4], %[t1], %[a1]\n\t" \
    "smlad %[a3], %[t5], %[t3], %[a3]\n\t" \
    "ldrd %[t4], %[t5], [%[x]], #16\n\t" \
    "smlad %[a0], %[t4], %[t0], %[a0]\n\t" \
    "smlad %[a0], %[t5], %[t2], %[a0]\n\t" \
    "smlad %[a1], %[t4], %[t1], %[a1]\n\t" \
    "smlad %[a1], %[t5], %[t3], %[a1]\n\t"
#define TINYCC_COLS_PAIRS_HEAD \
    "ldr %[x], %[xbm]\n\t" \
    "ldr %[n], %[gm]\n\t" \
    "ldr %[t0], %[opm]\n\t" \
    "ldr %[t1], %[com]\n\t" \
    "sub sp, sp, #16\n\t" \
    "strd %[x], %[n], [sp]\n\t" \
    "strd %[t0], %[t1], [sp, #8]\n\t" \
    "1:\n\t" \
    "ldrd %[a0], %[a1], [%[w]], #8\n\t"    /* kb */ \
    "ldrd %[x], %[n], [sp]\n\t" \
    TINYCC_COLS_FIRST
#define TINYCC_COLS_PAIRS_TAIL \
    "ldrd %[t0], %[t1], [%[w]], #8\n\t"     /* M2 */ \
    "ldrd %[t2], %[t3], [%[w]], #8\n\t"     /* h */ \
    "ldrd %[t4], %[t5], [%[w]], #8\n\t"     /* e */ \
    "smmlar %[a0], %[a0], %[t0], %[a0]\n\t" \
    "smmlar %[a2], %[a2], %[t0], %[a2]\n\t" \
    "smmlar %[a1], %[a1], %[t1], %[a1]\n\t" \
    "smmlar %[a3], %[a3], %[t1], %[a3]\n\t" \
    "add %[t0], %[a0], %[t2]\n\t" \
    "add %[t0], %[t0], %[a0], asr #31\n\t" \
    "asr %[t0], %[t0], %[t4]\n\t" \
    "add %[a0], %[a2], %[t2]\n\t" \
    "add %[a0], %[a0], %[a2], asr #31\n\t" \
    "asr %[a0], %[a0], %[t4]\n\t" \
    "add %[t1], %[a1], %[t3]\n\t" \
    "add %[t1], %[t1], %[a1], asr #31\n\t" \
    "asr %[t1], %[t1], %[t5]\n\t" \
    "add %[a1], %[a3], %[t3]\n\t" \
    "add %[a1], %[a1], %[a3], asr #31\n\t" \
    "asr %[a1], %[a1], %[t5]\n\t" \
    "ssat %[t0], #8, %[t0]\n\t" \
    "ssat %[a0], #8, %[a0]\n\t" \
    "ssat %[t1], #8, %[t1]\n\t" \
    "ssat %[a1], #8, %[a1]\n\t" \
    "ldrd %[x], %[t2], [sp, #8]\n\t"        /* op, co */ \
    "strb %[a0], [%[x], %[t2]]\n\t" \
    "strb %[t0], [%[x]], #1\n\t" \
    "strb %[a1], [%[x], %[t2]]\n\t" \
    "strb %[t1], [%[x]], #1\n\t" \
    "str %[x], [sp, #8]\n\t" \
    "tst %[t4], #256\n\t"                 /* the last pair's e0 */ \
    "beq 1b\n\t" \
    "add sp, sp, #16\n\t"
#define TINYCC_COLS_PAIRS_OPERANDS \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x), [w] "+r"(w), [n] "=&r"(n), \
      [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5) \
    : [xbm] "m"(xbv), [gm] "m"(gv), [opm] "m"(opv), [com] "m"(cov) \
    : "cc", "memory"
static inline const int32_t *tinycc_cols_block2_asm(const tinycc_cols *c, const int32_t *w, int g, int8_t *op,
                                                    int co) {
    const int32_t *xbv = c->w;
    int8_t *opv = op;
    int cov = co, gv = g;
    const int32_t *x;
    int32_t n, a0, a1, a2, a3, t0, t1, t2, t3, t4, t5;
    if (g & 1)
        __asm__ volatile(
            TINYCC_COLS_PAIRS_HEAD
            "subs %[n], %[n], #1\n\t"
            "beq 3f\n\t"
            "2:\n\t"
            TINYCC_COLS_GROUP
            TINYCC_COLS_GROUP
            "subs %[n], %[n], #2\n\t"
            "bne 2b\n\t"
            "3:\n\t"
            TINYCC_COLS_PAIRS_TAIL
            TINYCC_COLS_PAIRS_OPERANDS);
    else
        __asm__ volatile(
            TINYCC_COLS_PAIRS_HEAD
            TINYCC_COLS_GROUP
            "subs %[n], %[n], #2\n\t"
            "beq 3f\n\t"
            "2:\n\t"
            TINYCC_COLS_GROUP
            TINYCC_COLS_GROUP
            "subs %[n], %[n], #2\n\t"
            "bne 2b\n\t"
            "3:\n\t"
            TINYCC_COLS_PAIRS_TAIL
            TINYCC_COLS_PAIRS_OPERANDS);
    return w;
}
#undef TINYCC_COLS_GROUP
#undef TINYCC_COLS_FIRST
#undef TINYCC_COLS_PAIRS_HEAD
#undef TINYCC_COLS_PAIRS_TAIL
#undef TINYCC_COLS_PAIRS_OPERANDS
#endif

/* every output channel of the np (1 or 2) pixels whose columns (g groups) are in c: outputs at o, o + co.
 * `wpk` (conv_2d.py's cols_words): per channel pair {kb0, kb1}, its packed filter (2g words), then
 * {M2_0, M2_1, h0, h1, e0, e1}; an odd last channel {kb}, its g words, {M2, h, e}. kb = bias - in_zp *
 * sum(w), the rest tinycc_cols_rq's words (the output zero point is in h). A pair's words are all
 * loaded before its first output byte is stored (an int8 store may alias them). */
#ifdef TINYCC_DSP
#define TINYCC_COLS_SAT(v) tinycc_cols_sat(v, clip, act_min, act_max)
#else
#define TINYCC_COLS_SAT(v) (int8_t)tinycc_clamp(v, act_min, act_max)
#endif
static inline void tinycc_cols_block(const tinycc_conv_shape *s, const tinycc_cols *c, int np, int g,
                                     const int32_t *wpk, int8_t *o, int32_t act_min, int32_t act_max) {
    const int co = s->co;
#ifdef TINYCC_DSP
    const int clip = act_min > -128 || act_max < 127;
#endif
    const int32_t *w = wpk;
    int8_t *op = o, *const end = o + (co & ~1);
    if (np == 2) {
#ifdef TINYCC_COLS_ASM
        if (!clip) {
            if (op != end) w = tinycc_cols_block2_asm(c, w, g, op, co);
            op = end;
        }
#endif
        for (; op != end; op += 2) {
            int32_t acc[4], m0, m1, h0, h1, e0, e1, v0, v1, v2, v3;
            acc[0] = acc[2] = w[0];
            acc[1] = acc[3] = w[1];
            w = tinycc_cols_2x2(c, w + 2, g, acc);
            m0 = w[0], m1 = w[1], h0 = w[2], h1 = w[3], e0 = w[4], e1 = w[5];
            w += 6;
            v0 = tinycc_cols_rq(acc[0], m0, h0, e0);
            v1 = tinycc_cols_rq(acc[1], m1, h1, e1);
            v2 = tinycc_cols_rq(acc[2], m0, h0, e0);
            v3 = tinycc_cols_rq(acc[3], m1, h1, e1);
            op[0] = TINYCC_COLS_SAT(v0);
            op[1] = TINYCC_COLS_SAT(v1);
            op[co] = TINYCC_COLS_SAT(v2);
            op[co + 1] = TINYCC_COLS_SAT(v3);
        }
    } else {
        for (; op != end; op += 2) {
            int32_t acc[2], v0, v1;
            const int32_t *q = w + 2 + 2 * g;
            acc[0] = w[0];
            acc[1] = w[1];
            tinycc_cols_1x2(c, w + 2, g, acc);
            v0 = tinycc_cols_rq(acc[0], q[0], q[2], q[4]);
            v1 = tinycc_cols_rq(acc[1], q[1], q[3], q[5]);
            w = q + 6;
            op[0] = TINYCC_COLS_SAT(v0);
            op[1] = TINYCC_COLS_SAT(v1);
        }
    }
    if (co & 1) {
        int32_t acc[2], v0, v1;
        const int32_t *q = w + 1 + g;
        acc[0] = acc[1] = w[0];
        tinycc_cols_nx1(c, w + 1, g, np, acc);
        v0 = tinycc_cols_rq(acc[0], q[0], q[1], q[2]);
        v1 = tinycc_cols_rq(acc[1], q[0], q[1], q[2]);
        op[0] = TINYCC_COLS_SAT(v0);
        if (np == 2) op[co] = TINYCC_COLS_SAT(v1);
    }
}
#undef TINYCC_COLS_SAT

/* output row oy of image b (ow * co bytes at `row`), two pixels a pass */
static inline void tinycc_conv_2d_s8_cols_row(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                              int8_t *row, int b, int oy, int32_t in_zp, int32_t act_min,
                                              int32_t act_max) {
    tinycc_cols c;
    const int L = s->kw * s->ci, k = s->kh * L, k4 = (k + 3) & ~3, iy0 = oy * s->sh - s->pad_t;
    const int rowstep = s->w * s->ci, xstep = s->sw * s->ci;
    int8_t *patch = (int8_t *)(void *)c.w + 4 * k4;   /* after the two columns (4 * k4 bytes) */
    const int x0 = ((b * s->h + iy0) * s->w - s->pad_l) * s->ci;   /* pixel ox's patch: in + x0 + ox * xstep */
    int ox, ox0 = 0, ox1 = 0, p;
    if ((L % 4 == 0 || 5 * k4 <= TINYCC_CONV_COLS_BYTES) && iy0 >= 0 && iy0 + s->kh <= s->h) {
        /* an interior row: its interior pixels widen their kh rows straight from the input when a row
         * is whole groups, else copy them into the patch after the columns (zeros after byte k, written
         * once) and widen that */
        const int32_t zero = 0;
        const int last = s->w + s->pad_l - s->kw;   /* pixels ox0 <= ox < ox1: 0 <= ox sw - pad_l <= last */
        ox0 = (s->pad_l + s->sw - 1) / s->sw;
        if (ox0 > s->ow) ox0 = s->ow;
        ox1 = last < 0 ? ox0 : last / s->sw + 1;
        if (ox1 > s->ow) ox1 = s->ow;
        if (ox1 < ox0) ox1 = ox0;
        if (L % 4 != 0) memcpy(patch + k4 - 4, &zero, 4);
    }
    for (ox = 0; ox < s->ow; ox += 2) {
        const int np = ox + 1 < s->ow ? 2 : 1;
        for (p = 0; p < np; ++p) {
            if (ox + p >= ox0 && ox + p < ox1) {
                const int8_t *xr = in + x0 + (ox + p) * xstep;
                int ky;
                if (L % 4 == 0) {
                    for (ky = 0; ky < s->kh; ++ky, xr += rowstep) tinycc_cols_widen(&c, p, ky * (L / 4), xr, L);
#ifdef TINYCC_COLS_ROW9
                } else if (L == 9 && s->kh == 3) {
                    tinycc_cols_row9(&c, p, xr, rowstep);
#endif
                } else {
                    for (ky = 0; ky < s->kh; ++ky, xr += rowstep) tinycc_cols_copy(patch + ky * L, xr, L);
                    tinycc_cols_widen(&c, p, 0, patch, k4);
                }
            } else {
                tinycc_cols_pixel(s, in, &c, p, b, oy, ox + p, in_zp);
            }
        }
        tinycc_cols_block(s, &c, np, k4 / 4, wpk, row + ox * s->co, act_min, act_max);
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
                                             int8_t *out, int backward, int32_t act_min, int32_t act_max) {
    tinycc_cols c;
    const long count = (long)s->n * s->h * s->w;
    long k;
    for (k = 0; k < count; k += 2) {
        const int np = k + 1 < count ? 2 : 1;
        const long i = backward ? count - k - np : k;   /* the pass's first pixel */
        tinycc_cols_widen(&c, 0, 0, in + i * s->ci, s->ci);
        if (np == 2) tinycc_cols_widen(&c, 1, 0, in + (i + 1) * s->ci, s->ci);
        tinycc_cols_block(s, &c, np, s->ci / 4, wpk, out + i * s->co, act_min, act_max);
    }
}

/* `wpk`: the packed filter with each channel pair's folded bias and requantisation words (tinycc_cols_block) */
static inline void tinycc_conv_2d_s8_cols(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                          int8_t *out, int32_t in_zp, int32_t act_min, int32_t act_max) {
    int b, oy;
    if (tinycc_cols_pointwise(s)) {
        tinycc_conv_2d_s8_cols_pw(s, in, wpk, out, 0, act_min, act_max);
        return;
    }
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_s8_cols_row(s, in, wpk, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp,
                                   act_min, act_max);
}

/* in place (kernels/inplace.h), im2col rows */
static inline void tinycc_conv_2d_s8_cols_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int32_t *wpk, int8_t *ring, int32_t in_zp,
                                                  int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    if (tinycc_cols_pointwise(s) && s->n == 1) {    /* straight over the input: no ring, no copies */
        tinycc_conv_2d_s8_cols_pw(s, buf, wpk, buf, s->co > s->ci, act_min, act_max);
        return;
    }
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s8_cols_row(s, buf, wpk, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* In place (kernels/inplace.h): the output over its input `buf` (batch 1), rows through the ring.
 * A 1x1 stride-1 convolution's row is one matrix product of ow pixels. With `bias` NULL, `filter`
 * is the im2col kernel's packed filter with its folded biases and requantisation words (conv_2d.py's
 * cols_words, an int32 array; tinycc_cols_block), `kbias`, `out_zp`, `mult` and `shift` are unused and
 * the rows are im2col rows. */
static inline void tinycc_conv_2d_s8_fast_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                  const int32_t *kbias, int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                  const int32_t *mult, const int32_t *shift,
                                                  int32_t act_min, int32_t act_max) {
    int ox0, step, first = tinycc_ring_start(r), count = 0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    if (bias == NULL) {
        tinycc_conv_2d_s8_cols_inplace(s, r, buf, (const int32_t *)(const void *)filter, ring, in_zp, act_min,
                                       act_max);
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

/* Fast int8 convolution (dilation 1; needs dot_s8.h). `kbias[oc]` is bias[oc] - in_zp * sum(filter[oc]),
 * folded at compile time: a pixel whose taps all lie inside the input is kh dot products of kw*ci
 * contiguous bytes, two pixels by two output channels at a time. A pixel touching the padding copies
 * its patch to the stack with the outside taps set to in_zp (they then add f * 0, as TFLM's skipped
 * taps) and takes one dot product per channel with `kbias`; patches over TINYCC_CONV_PATCH_BYTES
 * take dot products over the inside taps with the plain `bias` minus in_zp * their filter sum.
 * All give TFLM's int32 sums exactly. */
#ifndef TINYCC_CONV_PATCH_BYTES
#define TINYCC_CONV_PATCH_BYTES @TINYCC_CONV_PATCH_BYTES@   /* stack bytes for a border pixel's patch (larger patches: tap loops) */
#endif

static inline void tinycc_conv_s8_border(const tinycc_conv_shape *s, const int8_t *in, const int8_t *filter,
                                  const int32_t *bias, const int32_t *kbias, int8_t *out, int b, int oy, int ox, int32_t in_zp,
                                  int32_t out_zp, const int32_t *mult, const int8_t *shift,
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
                               const int32_t *mult, const int8_t *shift, int32_t act_min, int32_t act_max) {
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
                                              const int8_t *shift, int32_t act_min, int32_t act_max) {
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
                                   int32_t out_zp, const int32_t *mult, const int8_t *shift,
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


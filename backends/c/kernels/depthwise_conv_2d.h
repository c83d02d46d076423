/* DEPTHWISE_CONV_2D kernels: output channel oc = ic * depth_multiplier + m reads input channel ic. */
typedef struct {
    int n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pad_t, pad_l, mult;
} tinycc_dw_shape;

/* output row oy of image b (ow * co bytes at `row`), TFLM's reference loops */
static inline void tinycc_depthwise_conv_2d_s8_row(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                                   const int32_t *bias, int8_t *row, int b, int oy, int32_t in_zp,
                                                   int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                                   int32_t act_min, int32_t act_max) {
    int ox, oc, ky, kx;
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        int32_t acc = bias ? bias[oc] : 0;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += (int32_t)filter[(ky * s->kw + kx) * s->co + oc] *
                       ((int32_t)in[((b * s->h + iy) * s->w + ix) * s->ci + ic] - in_zp);
            }
        }
        acc = tinycc_mbqm(acc, mult[oc], shift[oc]) + out_zp;
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(acc, act_min, act_max);
    }
}

static inline void tinycc_depthwise_conv_2d_s8(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                               const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                               const int32_t *mult, const int32_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_s8_row(s, in, filter, bias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy,
                                        in_zp, out_zp, mult, shift, act_min, act_max);
}

static inline void tinycc_depthwise_conv_2d_s16(const tinycc_dw_shape *s, const int16_t *in, const int8_t *filter,
                                                const int64_t *bias, int16_t *out, int32_t out_zp,
                                                const int32_t *mult, const int32_t *shift,
                                                int32_t act_min, int32_t act_max) {
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        int64_t acc = 0;
        int32_t r;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += (int64_t)filter[(ky * s->kw + kx) * s->co + oc] * in[((b * s->h + iy) * s->w + ix) * s->ci + ic];
            }
        }
        if (bias) acc += bias[oc];
        r = tinycc_mbqm64(acc, mult[oc], shift[oc]) + out_zp;
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] = (int16_t)tinycc_clamp(r, act_min, act_max);
    }
}

static inline void tinycc_depthwise_conv_2d_f32(const tinycc_dw_shape *s, const float *in, const float *filter,
                                                const float *bias, float *out, float act_min, float act_max) {
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        float acc = 0.0f;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += filter[(ky * s->kw + kx) * s->co + oc] * in[((b * s->h + iy) * s->w + ix) * s->ci + ic];
            }
        }
        if (bias) acc += bias[oc];
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] = tinycc_clampf(acc, act_min, act_max);
    }
}

/* Fast int8 depthwise convolution (depth multiplier 1, dilation 1; needs dot_s8.h). `kbias[c]` is
 * bias[c] - in_zp * sum(filter[.., c]) folded at compile time: a pixel whose taps all lie inside
 * the input accumulates four channels at a time over its taps without bounds checks (3x3 unrolled);
 * pixels touching the padding take the reference loop with the plain `bias`. */
static inline void tinycc_dw_s8_border(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                       const int32_t *bias, int8_t *out, int b, int oy, int ox, int32_t in_zp,
                                       int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                       int32_t act_min, int32_t act_max) {
    const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l;
    const int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = iy0 + s->kh > s->h ? s->h - iy0 : s->kh;
    const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + s->kw > s->w ? s->w - ix0 : s->kw;
    const int co = s->co, co4 = co - co % 4;
    const int8_t *x = in + ((b * s->h + iy0 + ky0) * s->w + ix0 + kx0) * s->ci;   /* the first tap inside */
    int c, ky, kx;
    for (c = 0; c < co4; c += 4) {   /* the taps inside the input only, as in TFLM; four channels a pass */
        int32_t a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
        for (ky = ky0; ky < ky1; ++ky)
        for (kx = kx0; kx < kx1; ++kx) {
            const int8_t *xp = x + ((ky - ky0) * s->w + kx - kx0) * co + c, *f = filter + (ky * s->kw + kx) * co + c;
            a0 += (int32_t)f[0] * ((int32_t)xp[0] - in_zp);
            a1 += (int32_t)f[1] * ((int32_t)xp[1] - in_zp);
            a2 += (int32_t)f[2] * ((int32_t)xp[2] - in_zp);
            a3 += (int32_t)f[3] * ((int32_t)xp[3] - in_zp);
        }
        out[c] = tinycc_requant_s8(a0, mult[c], shift[c], out_zp, act_min, act_max);
        out[c + 1] = tinycc_requant_s8(a1, mult[c + 1], shift[c + 1], out_zp, act_min, act_max);
        out[c + 2] = tinycc_requant_s8(a2, mult[c + 2], shift[c + 2], out_zp, act_min, act_max);
        out[c + 3] = tinycc_requant_s8(a3, mult[c + 3], shift[c + 3], out_zp, act_min, act_max);
    }
    for (; c < co; ++c) {
        int32_t acc = bias[c];
        for (ky = ky0; ky < ky1; ++ky)
        for (kx = kx0; kx < kx1; ++kx)
            acc += (int32_t)filter[(ky * s->kw + kx) * co + c] * ((int32_t)x[((ky - ky0) * s->w + kx - kx0) * co + c] - in_zp);
        out[c] = tinycc_requant_s8(acc, mult[c], shift[c], out_zp, act_min, act_max);
    }
}

/* one interior pixel: x points at its top-left tap */
static inline void tinycc_dw_s8_pixel(const tinycc_dw_shape *s, const int8_t *x, const int8_t *filter,
                                      const int32_t *kbias, int8_t *out, int32_t out_zp, const int32_t *mult,
                                      const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int co = s->co, rowstep = s->w * co, co4 = co - co % 4;
    int c, ky, kx;
    for (c = 0; c < co4; c += 4) {
        int32_t a0 = kbias[c], a1 = kbias[c + 1], a2 = kbias[c + 2], a3 = kbias[c + 3];
        if (s->kh == 3 && s->kw == 3) {
            const int8_t *f = filter + c, *r0 = x + c, *r1 = r0 + rowstep, *r2 = r1 + rowstep;
#define TINYCC_DW_TAP(X, F) \
            a0 += (int32_t)(F)[0] * (X)[0]; a1 += (int32_t)(F)[1] * (X)[1]; \
            a2 += (int32_t)(F)[2] * (X)[2]; a3 += (int32_t)(F)[3] * (X)[3];
            TINYCC_DW_TAP(r0, f) TINYCC_DW_TAP(r0 + co, f + co) TINYCC_DW_TAP(r0 + 2 * co, f + 2 * co)
            TINYCC_DW_TAP(r1, f + 3 * co) TINYCC_DW_TAP(r1 + co, f + 4 * co) TINYCC_DW_TAP(r1 + 2 * co, f + 5 * co)
            TINYCC_DW_TAP(r2, f + 6 * co) TINYCC_DW_TAP(r2 + co, f + 7 * co) TINYCC_DW_TAP(r2 + 2 * co, f + 8 * co)
        } else {
            for (ky = 0; ky < s->kh; ++ky)
            for (kx = 0; kx < s->kw; ++kx) {
                const int8_t *xp = x + ky * rowstep + kx * co + c, *f = filter + (ky * s->kw + kx) * co + c;
                TINYCC_DW_TAP(xp, f)
            }
#undef TINYCC_DW_TAP
        }
        out[c] = tinycc_requant_s8(a0, mult[c], shift[c], out_zp, act_min, act_max);
        out[c + 1] = tinycc_requant_s8(a1, mult[c + 1], shift[c + 1], out_zp, act_min, act_max);
        out[c + 2] = tinycc_requant_s8(a2, mult[c + 2], shift[c + 2], out_zp, act_min, act_max);
        out[c + 3] = tinycc_requant_s8(a3, mult[c + 3], shift[c + 3], out_zp, act_min, act_max);
    }
    for (c = co4; c < co; ++c) {
        int32_t acc = kbias[c];
        for (ky = 0; ky < s->kh; ++ky)
        for (kx = 0; kx < s->kw; ++kx)
            acc += (int32_t)filter[(ky * s->kw + kx) * co + c] * x[ky * rowstep + kx * co + c];
        out[c] = tinycc_requant_s8(acc, mult[c], shift[c], out_zp, act_min, act_max);
    }
}

/* output row oy of image b, fast: interior pixels (ox0 <= ox < ox1 of an interior row) without
 * bounds checks, the others through the border routine */
static inline void tinycc_depthwise_conv_2d_s8_fast_row(const tinycc_dw_shape *s, const int8_t *in,
                                                        const int8_t *filter, const int32_t *bias,
                                                        const int32_t *kbias, int8_t *row, int b, int oy, int ox0,
                                                        int ox1, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                                        const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int iy = oy * s->sh - s->pad_t;
    int ox;
    if (iy < 0 || iy + s->kh > s->h) ox0 = ox1 = s->ow;
    for (ox = 0; ox < ox0; ++ox)
        tinycc_dw_s8_border(s, in, filter, bias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                            act_min, act_max);
    for (; ox < ox1; ++ox)
        tinycc_dw_s8_pixel(s, in + ((b * s->h + iy) * s->w + ox * s->sw - s->pad_l) * s->ci, filter, kbias,
                           row + ox * s->co, out_zp, mult, shift, act_min, act_max);
    for (; ox < s->ow; ++ox)
        tinycc_dw_s8_border(s, in, filter, bias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                            act_min, act_max);
}

static inline void tinycc_depthwise_conv_2d_s8_fast(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                                    const int32_t *bias, const int32_t *kbias, int8_t *out,
                                                    int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                                    const int32_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy, ox0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_s8_fast_row(s, in, filter, bias, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co,
                                             b, oy, ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
}

/* In place (kernels/inplace.h): the output over its input `buf` (batch 1), rows through the ring */
static inline void tinycc_depthwise_conv_2d_s8_fast_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                            int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                            const int32_t *kbias, int8_t *ring, int32_t in_zp,
                                                            int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                                            int32_t act_min, int32_t act_max) {
    int ox0, step, first = tinycc_ring_start(r), count = 0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_s8_fast_row(s, buf, filter, bias, kbias, tinycc_ring_slot(r, ring, oy), 0, oy,
                                             ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* in place, reference arithmetic (depth multipliers, dilations, folded bias out of int32) */
static inline void tinycc_depthwise_conv_2d_s8_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                       int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                       int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                       const int32_t *mult, const int32_t *shift,
                                                       int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_s8_row(s, buf, filter, bias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp,
                                        mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

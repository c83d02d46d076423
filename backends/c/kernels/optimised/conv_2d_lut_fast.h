/* CONV_2D with LUT-compressed int8 weights, faster (after dot_s8.h, inplace.h, conv_2d.h, weights_lut_fast.h):
   each output channel's filter (kh * kw * ci <= TINYCC_LUT_ROW_BYTES: backends/c/ops/_lut.py picks this
   kernel only then) decoded once into a stack buffer, then int8 dot products (dot_s8.h) over every pixel of
   the rows (weights_lut_fast.h's tinycc_lutf_dot), the taps outside the input skipped as in TFLM; the int32
   sum wraps like TFLM's. */

/* sum f * (x - in_zp) over the taps of pixel (iy0, ix0) inside the input (TFLM skips the others): with
   dilation 1 one dot product a filter row over its taps inside, else one a tap */
TINYCC_LUTF_INLINE uint32_t tinycc_conv_lut_pixel(const tinycc_conv_shape *s, const int8_t *in, const int8_t *f,
                                                  int b, int iy0, int ix0, int32_t in_zp) {
    const int prow = s->kw * s->ci;
    const int kx0 = s->dw != 1 || ix0 >= 0 ? 0 : -ix0;
    const int kx1 = s->dw != 1 || ix0 + s->kw <= s->w ? s->kw : s->w - ix0;
    uint32_t acc = 0u;
    int ky, kx;
    for (ky = 0; ky < s->kh; ++ky) {
        const int iy = iy0 + ky * s->dh;
        const int8_t *xr;
        if (iy < 0 || iy >= s->h) continue;
        xr = in + (long)(b * s->h + iy) * s->w * s->ci;
        if (s->dw == 1) {
            if (kx1 > kx0)
                acc += tinycc_lutf_dot(f + ky * prow + kx0 * s->ci, xr + (long)(ix0 + kx0) * s->ci,
                                       (kx1 - kx0) * s->ci, in_zp);
            continue;
        }
        for (kx = 0; kx < s->kw; ++kx) {
            const int ix = ix0 + kx * s->dw;
            if (ix >= 0 && ix < s->w)
                acc += tinycc_lutf_dot(f + ky * prow + kx * s->ci, xr + (long)ix * s->ci, s->ci, in_zp);
        }
    }
    return acc;
}

/* output rows oy0 <= oy < oy1 of image b, row oy at out + (oy - oy0) * rowstep */
static inline void tinycc_conv_2d_lut_fast_rows(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                               const int8_t *tables, int bits, long chstride, const int32_t *bias,
                                               int8_t *out, long rowstep, int b, int oy0, int oy1, int32_t in_zp,
                                               int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int8_t f[TINYCC_LUT_ROW_BYTES];
    const int flen = s->kh * s->kw * s->ci;
    int oc, oy, ox;
    for (oc = 0; oc < s->co; ++oc) {
        tinycc_lut_decode(filter, tables + oc * chstride, bits, (long)oc * flen, flen, f);
        for (oy = oy0; oy < oy1; ++oy) {
            const int iy0 = oy * s->sh - s->pad_t;
            int8_t *row = out + (long)(oy - oy0) * rowstep;
            for (ox = 0; ox < s->ow; ++ox) {
                const uint32_t acc = (bias ? (uint32_t)bias[oc] : 0u)
                                     + tinycc_conv_lut_pixel(s, in, f, b, iy0, ox * s->sw - s->pad_l, in_zp);
                row[ox * s->co + oc] = (int8_t)tinycc_clamp(
                    tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], shift[oc]), out_zp), act_min, act_max);
            }
        }
    }
}

static inline void tinycc_conv_2d_lut_fast(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                          const int8_t *tables, int bits, long chstride, const int32_t *bias,
                                          int8_t *out, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                          const int8_t *shift, int32_t act_min, int32_t act_max) {
    const long rowstep = (long)s->ow * s->co;
    int b;
    for (b = 0; b < s->n; ++b)
        tinycc_conv_2d_lut_fast_rows(s, in, filter, tables, bits, chstride, bias, out + (long)b * s->oh * rowstep,
                                     rowstep, b, 0, s->oh, in_zp, out_zp, mult, shift, act_min, act_max);
}

/* in place over a row ring (inplace.h), as tinycc_conv_2d_lut_inplace: the filters decoded once a row */
static inline void tinycc_conv_2d_lut_fast_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const uint8_t *filter, const int8_t *tables, int bits,
                                                  long chstride, const int32_t *bias, int8_t *ring, int32_t in_zp,
                                                  int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                                  int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_lut_fast_rows(s, buf, filter, tables, bits, chstride, bias, tinycc_ring_slot(r, ring, oy),
                                     0, 0, oy, oy + 1, in_zp, out_zp, mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

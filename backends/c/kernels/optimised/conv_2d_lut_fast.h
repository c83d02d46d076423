/* CONV_2D with LUT-compressed int8 weights, faster (after dot_s8.h, inplace.h, conv_2d.h, weights_lut_fast.h):
   each output channel's filter (kh * kw * ci <= TINYCC_LUT_ROW_BYTES: backends/c/ops/_lut.py picks this
   kernel only then; two channels' filters when both fit) decoded once into a stack buffer, then int8 dot
   products (weights_lut_fast.h's tinycc_lutf_dot, tinycc_lutf_dot2) over every pixel of the rows, the taps
   outside the input skipped as in TFLM; the int32 sum wraps like TFLM's. */

/* acc[k] += sum fk * (x - in_zp) over the taps of pixel (iy0, ix0) inside the input (TFLM skips the others),
   for filter f0 and, when f1 is not NULL, f1 too: with dilation 1 one dot product a filter row over its taps
   inside, else one a tap */
TINYCC_LUTF_INLINE void tinycc_conv_lut_pixel(const tinycc_conv_shape *s, const int8_t *in, const int8_t *f0,
                                              const int8_t *f1, int b, int iy0, int ix0, int32_t in_zp,
                                              uint32_t *acc) {
    const int prow = s->kw * s->ci, dense = s->dw == 1;
    const int kx0 = !dense || ix0 >= 0 ? 0 : -ix0;
    const int kx1 = !dense || ix0 + s->kw <= s->w ? s->kw : s->w - ix0;
    const int step = dense ? s->kw : 1;         /* taps a dot product */
    int ky, kx;
    for (ky = 0; ky < s->kh; ++ky) {
        const int iy = iy0 + ky * s->dh;
        const int8_t *xr;
        if (iy < 0 || iy >= s->h) continue;
        xr = in + (long)(b * s->h + iy) * s->w * s->ci;
        for (kx = kx0; kx < kx1; kx += step) {
            const int ix = ix0 + kx * s->dw, n = (dense ? kx1 - kx0 : 1) * s->ci;
            const long at = (long)ky * prow + (long)kx * s->ci;
            if (ix < 0 || ix >= s->w) continue;
            if (f1 != NULL) {
                tinycc_lutf_dot2(f0 + at, f1 + at, xr + (long)ix * s->ci, n, in_zp, acc);
            } else {
                acc[0] += tinycc_lutf_dot(f0 + at, xr + (long)ix * s->ci, n, in_zp);
            }
        }
    }
}

static inline int8_t tinycc_conv_lut_out(uint32_t acc, const int32_t *bias, int oc, int32_t out_zp,
                                         const int32_t *mult, const int8_t *shift, int32_t act_min, int32_t act_max) {
    if (bias) acc += (uint32_t)bias[oc];
    return (int8_t)tinycc_clamp(
        tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], TINYCC_SHIFT_AT(mult, shift, oc)), out_zp), act_min, act_max);
}

/* output rows oy0 <= oy < oy1 of image b, row oy at out + (oy - oy0) * rowstep; two output channels a pass
   when both filters fit the buffer */
static inline void tinycc_conv_2d_lut_fast_rows(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                               const int8_t *tables, int bits, long chstride, const int32_t *bias,
                                               int8_t *out, long rowstep, int b, int oy0, int oy1, int32_t in_zp,
                                               int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int8_t f[TINYCC_LUT_ROW_BYTES];
    const int flen = s->kh * s->kw * s->ci, pair = 2 * flen <= TINYCC_LUT_ROW_BYTES;
    int oc, oy, ox;
    for (oc = 0; oc < s->co; oc += 1 + (pair && oc + 1 < s->co)) {
        const int two = pair && oc + 1 < s->co;
        tinycc_lut_decode(filter, tables + oc * chstride, bits, (long)oc * flen, flen, f);
        if (two) tinycc_lut_decode(filter, tables + (oc + 1) * chstride, bits, (long)(oc + 1) * flen, flen, f + flen);
        for (oy = oy0; oy < oy1; ++oy) {
            const int iy0 = oy * s->sh - s->pad_t;
            int8_t *row = out + (long)(oy - oy0) * rowstep;
            for (ox = 0; ox < s->ow; ++ox) {
                uint32_t acc[2] = {0u, 0u};
                tinycc_conv_lut_pixel(s, in, f, two ? f + flen : NULL, b, iy0, ox * s->sw - s->pad_l, in_zp, acc);
                row[ox * s->co + oc] = tinycc_conv_lut_out(acc[0], bias, oc, out_zp, mult, shift, act_min, act_max);
                if (two)
                    row[ox * s->co + oc + 1] = tinycc_conv_lut_out(acc[1], bias, oc + 1, out_zp, mult, shift, act_min,
                                                                   act_max);
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

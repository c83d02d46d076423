/* CONV_2D with LUT-compressed int8 weights, faster (after dot_s8.h, inplace.h, conv_2d.h, weights_lut_fast.h):
   each output channel's filter (kh * kw * ci <= TINYCC_LUT_ROW_BYTES: backends/c/ops/_lut.py picks this
   kernel only then) decoded once into a stack buffer, then int8 dot products (dot_s8.h) over every pixel of
   the rows; the input offset as in_zp times the filter's sum over the taps inside the input. The int32 sum
   wraps like TFLM's: sum f * (x - in_zp) = sum f * x - in_zp * sum f, exactly, modulo 2^32. */

/* sum f * x over the taps of pixel (iy0, ix0) inside the input; *fsum gets sum f over them */
static inline uint32_t tinycc_conv_lut_taps(const tinycc_conv_shape *s, const int8_t *in, const int8_t *f, int b,
                                            int iy0, int ix0, uint32_t *fsum) {
    const int prow = s->kw * s->ci;
    uint32_t dot = 0u, sum = 0u;
    int ky, kx;
    for (ky = 0; ky < s->kh; ++ky) {
        const int iy = iy0 + ky * s->dh;
        const int8_t *xr;
        if (iy < 0 || iy >= s->h) continue;
        xr = in + (long)(b * s->h + iy) * s->w * s->ci;
        for (kx = 0; kx < s->kw; ++kx) {
            const int ix = ix0 + kx * s->dw;
            const int8_t *fk = f + ky * prow + kx * s->ci;
            if (ix < 0 || ix >= s->w) continue;
            dot += (uint32_t)tinycc_dot_s8(fk, xr + (long)ix * s->ci, s->ci, 0);
            sum += (uint32_t)tinycc_sum_s8(fk, s->ci, 0);
        }
    }
    *fsum = sum;
    return dot;
}

/* output rows oy0 <= oy < oy1 of image b, row oy at out + (oy - oy0) * rowstep */
static inline void tinycc_conv_2d_lut_fast_rows(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                               const int8_t *tables, int bits, long chstride, const int32_t *bias,
                                               int8_t *out, long rowstep, int b, int oy0, int oy1, int32_t in_zp,
                                               int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int8_t f[TINYCC_LUT_ROW_BYTES];
    const int prow = s->kw * s->ci, flen = s->kh * prow;
    const int spany = (s->kh - 1) * s->dh, spanx = (s->kw - 1) * s->dw;
    int oc, oy, ox, ky;
    for (oc = 0; oc < s->co; ++oc) {
        uint32_t total;
        tinycc_lut_decode(filter, tables + oc * chstride, bits, (long)oc * flen, flen, f);
        total = (uint32_t)tinycc_sum_s8(f, flen, 0);
        for (oy = oy0; oy < oy1; ++oy) {
            const int iy0 = oy * s->sh - s->pad_t;
            const int rows_inside = iy0 >= 0 && iy0 + spany < s->h;
            int8_t *row = out + (long)(oy - oy0) * rowstep;
            for (ox = 0; ox < s->ow; ++ox) {
                const int ix0 = ox * s->sw - s->pad_l;
                uint32_t acc = bias ? (uint32_t)bias[oc] : 0u, fsum;
                if (rows_inside && ix0 >= 0 && ix0 + spanx < s->w && s->dw == 1) {
                    /* every tap inside, each filter row contiguous in the input: kh dot products */
                    for (ky = 0; ky < s->kh; ++ky)
                        acc += (uint32_t)tinycc_dot_s8(f + ky * prow,
                                                       in + ((long)(b * s->h + iy0 + ky * s->dh) * s->w + ix0) * s->ci,
                                                       prow, 0);
                    fsum = total;
                } else {
                    acc += tinycc_conv_lut_taps(s, in, f, b, iy0, ix0, &fsum);
                }
                acc -= (uint32_t)in_zp * fsum;
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

/* CONV_2D with LUT-compressed int8 weights: reference/conv_2d.h's int8 loops, each filter value
   decoded from its index and its output channel's table in the multiply-accumulate (after
   weights_lut.h, inplace.h and conv_2d.h). */

/* output row oy of image b (ow * co bytes at `row`) */
static inline void tinycc_conv_2d_lut_row(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                         const int8_t *tables, int bits, long chstride,
                                         const int32_t *bias, int8_t *row, int b, int oy, int32_t in_zp,
                                         int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                         int32_t act_min, int32_t act_max) {
    int ox, oc, ky, kx;
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        uint32_t acc = bias ? (uint32_t)bias[oc] : 0u;     /* wraps like TFLM's int32 sum */
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                const int8_t *x;
                long f;
                if (ix < 0 || ix >= s->w) continue;
                x = in + ((b * s->h + iy) * s->w + ix) * s->ci;
                f = (long)((oc * s->kh + ky) * s->kw + kx) * s->ci;
                acc += tinycc_lut_dot(filter, tables + oc * chstride, bits, f, s->ci, x, in_zp);
            }
        }
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(
            tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], TINYCC_SHIFT_AT(mult, shift, oc)), out_zp), act_min, act_max);
    }
}

static inline void tinycc_conv_2d_lut(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                     const int8_t *tables, int bits, long chstride,
                                     const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                     const int32_t *mult, const int8_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_lut_row(s, in, filter, tables, bits, chstride, bias,
                                        out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp,
                              out_zp, mult, shift, act_min, act_max);
}

/* in place over a row ring (inplace.h), as tinycc_conv_2d_s8_inplace */
static inline void tinycc_conv_2d_lut_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r, int8_t *buf,
                                              const uint8_t *filter, const int8_t *tables, int bits, long chstride,
                                              const int32_t *bias, int8_t *ring,
                                              int32_t in_zp, int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                              int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_lut_row(s, buf, filter, tables, bits, chstride, bias,
                                        tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp, mult,
                              shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* DEPTHWISE_CONV_2D on int8 activations, TFLM's reference loops, generic over the filter's storage
   (kernel_units.PARAMS): @W@ = s8 int8 bytes, s4 4-bit values packed two a byte (weights_s4.h), lut LUT
   indices and tables (weights_lut.h; WX its extra parameters); TINYCC_WV(filter, i) is filter value i (of
   channel oc). After depthwise_conv_2d.h's shape and inplace.h's row ring. */
#define TINYCC_WV(w, i) @WLOAD@

/* output row oy of image b (ow * co bytes at `row`) */
static inline void tinycc_depthwise_conv_2d_@W@_row(const tinycc_dw_shape *s, const int8_t *in, const @WT@ *filter@WX@,
                                                   const int32_t *bias, int8_t *row, int b, int oy, int32_t in_zp,
                                                   int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                                   int32_t act_min, int32_t act_max) {
    int ox, oc, ky, kx;
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        uint32_t acc = bias ? (uint32_t)bias[oc] : 0u;     /* wraps like TFLM's int32 sum */
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += (uint32_t)(TINYCC_WV(filter, (long)(ky * s->kw + kx) * s->co + oc) *
                                  ((int32_t)in[((b * s->h + iy) * s->w + ix) * s->ci + ic] - in_zp));
            }
        }
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(
            tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], TINYCC_SHIFT_AT(mult, shift, oc)), out_zp), act_min, act_max);
    }
}

static inline void tinycc_depthwise_conv_2d_@W@(const tinycc_dw_shape *s, const int8_t *in, const @WT@ *filter@WX@,
                                               const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                               const int32_t *mult, const int8_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_@W@_row(s, in, filter@WXARGS@, bias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy,
                                        in_zp, out_zp, mult, shift, act_min, act_max);
}

/* in place over a row ring (inplace.h), reference arithmetic (depth multipliers, dilations, folded bias out
   of int32) */
static inline void tinycc_depthwise_conv_2d_@W@_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                       int8_t *buf, const @WT@ *filter@WX@, const int32_t *bias,
                                                       int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                       const int32_t *mult, const int8_t *shift,
                                                       int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_@W@_row(s, buf, filter@WXARGS@, bias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp,
                                        mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}
#undef TINYCC_WV

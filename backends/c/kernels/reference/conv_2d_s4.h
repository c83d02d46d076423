/* CONV_2D with 4-bit weights (4w8a): reference/conv_2d.h's int8 loops, each filter value unpacked from
   its nibble in the multiply-accumulate (after weights_s4.h and conv_2d.h). */
static inline void tinycc_conv_2d_s4(const tinycc_conv_shape *s, const int8_t *in, const uint8_t *filter,
                                     const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                     const int32_t *mult, const int32_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
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
                for (ic = 0; ic < s->ci; ++ic) acc += (uint32_t)(tinycc_s4(filter, f + ic) * ((int32_t)x[ic] - in_zp));
            }
        }
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] =
            (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], shift[oc]), out_zp), act_min, act_max);
    }
}

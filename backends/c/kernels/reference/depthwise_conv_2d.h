/* DEPTHWISE_CONV_2D kernels: output channel oc = ic * depth_multiplier + m reads input channel ic. */
#ifndef TINYCC_DW_DIM   /* a layer shape field: uint16_t when every shape value of the model fits and no node
                          * takes the fast kernel, whose row loops read the fields (emitter.py) */
#if defined(TINYCC_DIM16) && TINYCC_DIM16 && !(defined(TINYCC_DW_WIDE) && TINYCC_DW_WIDE)
#define TINYCC_DW_DIM uint16_t
#else
#define TINYCC_DW_DIM int
#endif
#endif
typedef struct {
    TINYCC_DW_DIM n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pad_t, pad_l, mult, pf, rq;
} tinycc_dw_shape;

/* output row oy of image b (ow * co bytes at `row`), TFLM's reference loops */
static inline void tinycc_depthwise_conv_2d_s8_row(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
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
                acc += (uint32_t)((int32_t)filter[(ky * s->kw + kx) * s->co + oc] *
                                  ((int32_t)in[((b * s->h + iy) * s->w + ix) * s->ci + ic] - in_zp));
            }
        }
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(
            tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], TINYCC_SHIFT_AT(mult, shift, oc)), out_zp), act_min, act_max);
    }
}

static inline void tinycc_depthwise_conv_2d_s8(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                               const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                               const int32_t *mult, const int8_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_s8_row(s, in, filter, bias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy,
                                        in_zp, out_zp, mult, shift, act_min, act_max);
}

static inline void tinycc_depthwise_conv_2d_s16(const tinycc_dw_shape *s, const int16_t *in, const int8_t *filter,
                                                const int64_t *bias, int16_t *out, int32_t out_zp,
                                                const int32_t *mult, const int8_t *shift,
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
        r = tinycc_wadd(tinycc_mbqm64(acc, mult[oc], shift[oc]), out_zp);
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


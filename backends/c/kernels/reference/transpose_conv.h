/* TRANSPOSE_CONV kernels (NHWC input, OHWI filter). TFLM scatters every input pixel into an
 * accumulator buffer the size of the output; these kernels gather instead: output pixel (oy, ox)
 * takes input pixel iy = (oy + pad_t - ky) / sh wherever that division is exact and in range,
 * visiting (iy, ix, ic) in ascending order, the order in which TFLM's scatter adds into it. So
 * no scratch buffer is needed, integer sums are TFLM's (int32 wrapping for int8, int64 for
 * 16x8) and float sums are added in TFLM's order. */
typedef struct {
    int n, h, w, ci, oh, ow, co, kh, kw, sh, sw, pad_t, pad_l;
} tinycc_tconv_shape;

/* the input row (or column) feeding output o through tap k, or -1 */
static inline int tinycc_tconv_src(int o, int pad, int k, int stride, int size) {
    const int t = o + pad - k;
    int i;
    if (t < 0 || t % stride != 0) return -1;
    i = t / stride;
    return i < size ? i : -1;
}

static inline void tinycc_transpose_conv_s8(const tinycc_tconv_shape *s, const int8_t *in, const int8_t *filter,
                                            const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                            const int32_t *mult, const int8_t *shift, int32_t act_min,
                                            int32_t act_max) {
    int b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        uint32_t acc = 0u;                      /* wraps like TFLM's int32 accumulator */
        int32_t r;
        for (ky = s->kh - 1; ky >= 0; --ky) {
            const int iy = tinycc_tconv_src(oy, s->pad_t, ky, s->sh, s->h);
            if (iy < 0) continue;
            for (kx = s->kw - 1; kx >= 0; --kx) {
                const int ix = tinycc_tconv_src(ox, s->pad_l, kx, s->sw, s->w);
                const int8_t *x, *f;
                if (ix < 0) continue;
                x = in + ((long)(b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((long)(oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += (uint32_t)(((int32_t)x[ic] - in_zp) * (int32_t)f[ic]);
            }
        }
        if (bias) acc += (uint32_t)bias[oc];
        r = tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[oc], shift[oc]), out_zp);
        out[((long)(b * s->oh + oy) * s->ow + ox) * s->co + oc] = (int8_t)tinycc_clamp(r, act_min, act_max);
    }
}

static inline void tinycc_transpose_conv_s16(const tinycc_tconv_shape *s, const int16_t *in, const int8_t *filter,
                                             const int64_t *bias, int16_t *out, const int32_t *mult,
                                             const int8_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        int64_t acc = 0;
        for (ky = s->kh - 1; ky >= 0; --ky) {
            const int iy = tinycc_tconv_src(oy, s->pad_t, ky, s->sh, s->h);
            if (iy < 0) continue;
            for (kx = s->kw - 1; kx >= 0; --kx) {
                const int ix = tinycc_tconv_src(ox, s->pad_l, kx, s->sw, s->w);
                const int16_t *x;
                const int8_t *f;
                if (ix < 0) continue;
                x = in + ((long)(b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((long)(oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += (int64_t)x[ic] * f[ic];
            }
        }
        if (bias) acc += bias[oc];
        out[((long)(b * s->oh + oy) * s->ow + ox) * s->co + oc] =
            (int16_t)tinycc_clamp(tinycc_mbqm64(acc, mult[oc], shift[oc]), act_min, act_max);
    }
}

static inline void tinycc_transpose_conv_f32(const tinycc_tconv_shape *s, const float *in, const float *filter,
                                             const float *bias, float *out, float act_min, float act_max) {
    int b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        float acc = 0.0f;
        for (ky = s->kh - 1; ky >= 0; --ky) {
            const int iy = tinycc_tconv_src(oy, s->pad_t, ky, s->sh, s->h);
            if (iy < 0) continue;
            for (kx = s->kw - 1; kx >= 0; --kx) {
                const int ix = tinycc_tconv_src(ox, s->pad_l, kx, s->sw, s->w);
                const float *x, *f;
                if (ix < 0) continue;
                x = in + ((long)(b * s->h + iy) * s->w + ix) * s->ci;
                f = filter + ((long)(oc * s->kh + ky) * s->kw + kx) * s->ci;
                for (ic = 0; ic < s->ci; ++ic) acc += x[ic] * f[ic];
            }
        }
        if (bias) acc += bias[oc];
        out[((long)(b * s->oh + oy) * s->ow + ox) * s->co + oc] = tinycc_clampf(acc, act_min, act_max);
    }
}

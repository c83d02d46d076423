/* AVERAGE_POOL_2D / MAX_POOL_2D kernels (NHWC). Only in-bounds window elements count, as in TFLM. */
#ifndef TINYCC_POOL_DIM   /* a layer shape field: uint16_t when every shape value of the model fits (emitter.py) */
#if defined(TINYCC_DIM16) && TINYCC_DIM16
#define TINYCC_POOL_DIM uint16_t
#else
#define TINYCC_POOL_DIM int
#endif
#endif
typedef struct {
    TINYCC_POOL_DIM n, h, w, c, oh, ow, kh, kw, sh, sw, pad_t, pad_l;
} tinycc_pool_shape;

/* output pixel (oy, ox)'s window: its corner (y0, x0) in the input and the in-bounds taps
 * ky0 <= ky < ky1, kx0 <= kx < kx1 (declared in the enclosing block; every pooling kernel's) */
#define TINYCC_POOL_WINDOW                                                              \
        const int y0 = oy * s->sh - s->pad_t, x0 = ox * s->sw - s->pad_l;               \
        const int ky0 = y0 < 0 ? -y0 : 0, kx0 = x0 < 0 ? -x0 : 0;                       \
        const int ky1 = s->kh < s->h - y0 ? s->kh : s->h - y0;                          \
        const int kx1 = s->kw < s->w - x0 ? s->kw : s->w - x0;

#define TINYCC_POOL_LOOP(BODY)                                                          \
    int b, oy, ox, ch, ky, kx;                                                          \
    for (b = 0; b < s->n; ++b)                                                          \
    for (oy = 0; oy < s->oh; ++oy)                                                      \
    for (ox = 0; ox < s->ow; ++ox) {                                                    \
        TINYCC_POOL_WINDOW                                                              \
        for (ch = 0; ch < s->c; ++ch) { BODY }                                          \
    }

#define TINYCC_IN(k_y, k_x) in[((b * s->h + y0 + (k_y)) * s->w + x0 + (k_x)) * s->c + ch]
#define TINYCC_OUT out[((b * s->oh + oy) * s->ow + ox) * s->c + ch]

/* integer pooling for one element type; the max starts from the type's minimum */
#define TINYCC_POOL_Q(SUFFIX, T, T_MIN)                                                         \
static inline void tinycc_average_pool_2d_##SUFFIX(const tinycc_pool_shape *s, const T *in, T *out, \
                                                   int32_t act_min, int32_t act_max) {          \
    TINYCC_POOL_LOOP(                                                                           \
        int32_t acc = 0;                                                                        \
        int count = 0;                                                                          \
        for (ky = ky0; ky < ky1; ++ky)                                                          \
            for (kx = kx0; kx < kx1; ++kx) { acc += TINYCC_IN(ky, kx); ++count; }               \
        if (count == 0) count = 1;                                                              \
        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;                  \
        TINYCC_OUT = (T)tinycc_clamp(acc, act_min, act_max);                                    \
    )                                                                                           \
}                                                                                               \
static inline void tinycc_max_pool_2d_##SUFFIX(const tinycc_pool_shape *s, const T *in, T *out,   \
                                               int32_t act_min, int32_t act_max) {              \
    TINYCC_POOL_LOOP(                                                                           \
        int32_t m = T_MIN;                                                                      \
        for (ky = ky0; ky < ky1; ++ky)                                                          \
            for (kx = kx0; kx < kx1; ++kx) if (TINYCC_IN(ky, kx) > m) m = TINYCC_IN(ky, kx);    \
        TINYCC_OUT = (T)tinycc_clamp(m, act_min, act_max);                                      \
    )                                                                                           \
}
TINYCC_POOL_Q(s8, int8_t, -128)
TINYCC_POOL_Q(s16, int16_t, -32768)

static inline void tinycc_average_pool_2d_f32(const tinycc_pool_shape *s, const float *in, float *out,
                                              float act_min, float act_max) {
    TINYCC_POOL_LOOP(
        float acc = 0.0f;
        int count = 0;
        for (ky = ky0; ky < ky1; ++ky)
            for (kx = kx0; kx < kx1; ++kx) { acc += TINYCC_IN(ky, kx); ++count; }
        TINYCC_OUT = tinycc_clampf(count ? acc / (float)count : 0.0f, act_min, act_max);
    )
}

static inline void tinycc_max_pool_2d_f32(const tinycc_pool_shape *s, const float *in, float *out,
                                          float act_min, float act_max) {
    TINYCC_POOL_LOOP(
        float m = -FLT_MAX;
        for (ky = ky0; ky < ky1; ++ky)
            for (kx = kx0; kx < kx1; ++kx) if (TINYCC_IN(ky, kx) > m) m = TINYCC_IN(ky, kx);
        TINYCC_OUT = tinycc_clampf(m, act_min, act_max);
    )
}

#undef TINYCC_IN
#undef TINYCC_OUT
#undef TINYCC_POOL_LOOP

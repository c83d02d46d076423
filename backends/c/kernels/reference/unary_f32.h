/* Float32 elementwise kernels: activations and float -> integer QUANTIZE. Need <math.h>. */
enum { TINYCC_RELU, TINYCC_RELU6, TINYCC_LEAKY_RELU, TINYCC_LOGISTIC, TINYCC_TANH };

static inline void tinycc_unary_f32(int32_t n, const float *x, float *y, int op, float alpha) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const float v = x[i];
        switch (op) {
        case TINYCC_RELU: y[i] = v > 0.0f ? v : 0.0f; break;
        case TINYCC_RELU6: y[i] = tinycc_clampf(v, 0.0f, 6.0f); break;
        case TINYCC_LEAKY_RELU: y[i] = v >= 0.0f ? v : v * alpha; break;
        case TINYCC_LOGISTIC: y[i] = 1.0f / (1.0f + expf(-v)); break;
        default: y[i] = tanhf(v); break;
        }
    }
}

/* round(x / scale) + zp, halves away from zero, saturated (AffineQuantize). roundf inline (a libm call
 * on FPv4 cores): v clamped first (beyond +-2^30 the result saturates anyway, and v + zp cannot overflow;
 * NaN gives 0), t = v truncated, d = v - t exact (v is an integer from 2^23 on), then the half step */
#define TINYCC_QUANTIZE_F32(SUFFIX, T, LO, HI)                                                   \
static inline void tinycc_quantize_f32_##SUFFIX(int32_t n, const float *x, T *y, float scale,    \
                                                int32_t zp) {                                    \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i) {                                                                    \
        float v = x[i] / scale, d;                                                               \
        int32_t t;                                                                               \
        if (!(v >= -1073741824.0f && v <= 1073741824.0f)) /* NaN fails both */                   \
            v = v != v ? 0.0f : v < 0.0f ? -1073741824.0f : 1073741824.0f;                       \
        t = (int32_t)v;                                                                          \
        d = v - (float)t;                                                                        \
        t += (d >= 0.5f) - (d <= -0.5f);                                                         \
        y[i] = (T)tinycc_clamp(t + zp, LO, HI);                                                  \
    }                                                                                            \
}
TINYCC_QUANTIZE_F32(s8, int8_t, -128, 127)
TINYCC_QUANTIZE_F32(s16, int16_t, -32768, 32767)

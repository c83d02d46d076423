/* Elementwise unary kernels that are not table lookups: integer rescale (RELU, QUANTIZE between
 * integer types), clamp (RELU6), LEAKY_RELU, float -> integer QUANTIZE, DEQUANTIZE. */
#define TINYCC_RESCALE(SUFFIX, TI, TO)                                                           \
static inline void tinycc_rescale_##SUFFIX(int32_t n, const TI *x, TO *y, int32_t in_zp,          \
                                           int32_t mult, int32_t shift, int32_t out_zp,          \
                                           int32_t lo, int32_t hi) {                             \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i)                                                                      \
        y[i] = (TO)tinycc_clamp(tinycc_wadd(tinycc_mbqm((int32_t)x[i] - in_zp, mult, shift), out_zp), lo, hi); \
}
TINYCC_RESCALE(s8_s8, int8_t, int8_t)
TINYCC_RESCALE(s8_s16, int8_t, int16_t)
TINYCC_RESCALE(s16_s8, int16_t, int8_t)
TINYCC_RESCALE(s16_s16, int16_t, int16_t)

#define TINYCC_CLAMP_Q(SUFFIX, T)                                                                \
static inline void tinycc_clamp_##SUFFIX(int32_t n, const T *x, T *y, int32_t lo, int32_t hi) {  \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i) y[i] = (T)tinycc_clamp(x[i], lo, hi);                                \
}
TINYCC_CLAMP_Q(s8, int8_t)
TINYCC_CLAMP_Q(s16, int16_t)

#define TINYCC_LEAKY_RELU_Q(SUFFIX, T, LO, HI)                                                   \
static inline void tinycc_leaky_relu_##SUFFIX(int32_t n, const T *x, T *y, int32_t in_zp,        \
                                              int32_t out_zp, int32_t mult_id, int32_t shift_id, \
                                              int32_t mult_alpha, int32_t shift_alpha) {         \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i) {                                                                    \
        const int32_t v = (int32_t)x[i] - in_zp;                                                 \
        const int32_t r = v >= 0 ? tinycc_mbqm(v, mult_id, shift_id) : tinycc_mbqm(v, mult_alpha, shift_alpha); \
        y[i] = (T)tinycc_clamp(tinycc_wadd(r, out_zp), LO, HI);                                  \
    }                                                                                            \
}
TINYCC_LEAKY_RELU_Q(s8, int8_t, -128, 127)
TINYCC_LEAKY_RELU_Q(s16, int16_t, -32768, 32767)

#define TINYCC_DEQUANTIZE(SUFFIX, T)                                                             \
static inline void tinycc_dequantize_##SUFFIX(int32_t n, const T *x, float *y, double scale,     \
                                              int32_t zp) {                                      \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i) y[i] = (float)(scale * (double)((int32_t)x[i] - zp));                \
}
TINYCC_DEQUANTIZE(s8, int8_t)
TINYCC_DEQUANTIZE(s16, int16_t)

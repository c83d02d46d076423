/* SOFTMAX kernels. int8: TFLM's fixed-point algorithm (gemmlowp); exp(x - max) of every possible
 * int8 difference comes from a table made at compile time by tinycc's reference kernel. After
 * common/sat_shl.h (tinycc_sat_shl). */

/* gemmlowp one_over_one_plus_x_for_x_in_0_1 on raw Q0.31, three Newton-Raphson steps in Q2.29. */
static inline int32_t tinycc_one_over_one_plus_x(int32_t a) {
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)tinycc_srdhm(half_denominator, -1010580540));
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = tinycc_srdhm(half_denominator, x);
        const int32_t one_minus = (int32_t)((uint32_t)((int32_t)1 << 29) - (uint32_t)hdx);
        x = (int32_t)((uint32_t)x + (uint32_t)tinycc_sat_shl(tinycc_srdhm(x, one_minus), 2));
    }
    return tinycc_sat_shl(x, 1);
}

static inline int tinycc_clz32(uint32_t x) {
    int n = 0;
    if (x == 0) return 32;
    while (!(x & 0x80000000u)) { x <<= 1; ++n; }
    return n;
}

/* int8 input; output T of OUT_BITS bits with zero point at its minimum (int8: 1/256, int16: 1/65536). */
#define TINYCC_SOFTMAX_Q(SUFFIX, T, OUT_BITS, OUT_MIN, OUT_MAX)                                         \
static inline void tinycc_softmax_##SUFFIX(int rows, int depth, const int8_t *in, T *out,               \
                                           const int32_t *exp_table, int32_t diff_min) {                \
    int r, c;                                                                                           \
    for (r = 0; r < rows; ++r) {                                                                        \
        const int8_t *x = in + r * depth;                                                               \
        T *y = out + r * depth;                                                                         \
        int32_t max = -128, sum = 0, scale;                                                             \
        int headroom, bits_over_unit;                                                                   \
        for (c = 0; c < depth; ++c) if (x[c] > max) max = x[c];                                         \
        for (c = 0; c < depth; ++c) {                                                                   \
            const int32_t diff = (int32_t)x[c] - max;                                                   \
            if (diff >= diff_min)                                                                       \
                sum = (int32_t)((uint32_t)sum + (uint32_t)tinycc_rdbpot(exp_table[-diff], 12));         \
        }                                                                                               \
        headroom = tinycc_clz32((uint32_t)sum);                                                         \
        bits_over_unit = 12 - headroom;                                                                 \
        scale = tinycc_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31))); \
        for (c = 0; c < depth; ++c) {                                                                   \
            const int32_t diff = (int32_t)x[c] - max;                                                   \
            if (diff >= diff_min) {                                                                     \
                const int32_t v = tinycc_rdbpot(tinycc_srdhm(scale, exp_table[-diff]),                  \
                                                bits_over_unit + 31 - (OUT_BITS)) + (OUT_MIN);          \
                y[c] = (T)tinycc_clamp(v, OUT_MIN, OUT_MAX);                                            \
            } else {                                                                                    \
                y[c] = (T)(OUT_MIN);                                                                    \
            }                                                                                           \
        }                                                                                               \
    }                                                                                                   \
}

TINYCC_SOFTMAX_Q(s8, int8_t, 8, -128, 127)
TINYCC_SOFTMAX_Q(s8_s16, int16_t, 16, -32768, 32767)

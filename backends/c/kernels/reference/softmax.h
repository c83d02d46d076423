/* SOFTMAX kernels. int8: TFLM's fixed-point algorithm (gemmlowp); exp(x - max) of every possible
 * int8 difference comes from a table made at compile time by tinycc's reference kernel. After
 * common/sat_shl.h (tinycc_sat_shl). Any row length: the sum of exponentials is an int64 (TFLM's
 * int32 overflows from a real sum of 4096) and no shift count reaches the operand's width (TFLM's
 * output divide exponent passes 31 from a sum of 512); the results are TFLM's continued in exact
 * arithmetic, as tinycc.core.ops.softmax documents and computes. */

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

/* bit length of x (0 for 0): the position of its highest set bit, plus one */
static inline int tinycc_bit_length64(uint64_t x) {
    int n = 0;
    while (x) { x >>= 1; ++n; }
    return n;
}

/* TFLM's GetReciprocal(sum, 12, &bits_over_unit) for an int64 sum > 0: 1 / (1 + f) of the Q0.31 f
 * that is the sum's top 32 bits less 2^31 (lower bits truncated; none while sum < 2^32, where
 * this is TFLM's (uint32)sum << clz32(sum)), and bits_over_unit = bit_length(sum) - 20. */
static inline int32_t tinycc_softmax_reciprocal(int64_t sum, int *bits_over_unit) {
    const int length = tinycc_bit_length64((uint64_t)sum | 1u);      /* (| 1: a sum of 0 shifts by 31, not 32) */
    const uint32_t top = length <= 32 ? (uint32_t)sum << (32 - length)
                                      : (uint32_t)((uint64_t)sum >> (length - 32));
    *bits_over_unit = length - 20;
    return tinycc_one_over_one_plus_x((int32_t)(top - ((uint32_t)1 << 31)));
}

/* RoundingDivideByPOT for any exponent >= 0 in exact arithmetic: an int32 over 2^33 or more rounds to 0 */
static inline int32_t tinycc_rdbpot_any(int32_t x, int exponent) {
    if (exponent <= 31) return tinycc_rdbpot(x, exponent);
    return exponent == 32 && x == INT32_MIN ? -1 : 0;
}

/* int8 input; output T of OUT_BITS bits with zero point at its minimum (int8: 1/256, int16: 1/65536). */
#define TINYCC_SOFTMAX_Q(SUFFIX, T, OUT_BITS, OUT_MIN, OUT_MAX)                                         \
static inline void tinycc_softmax_##SUFFIX(int rows, int depth, const int8_t *in, T *out,               \
                                           const int32_t *exp_table, int32_t diff_min) {                \
    int r, c;                                                                                           \
    for (r = 0; r < rows; ++r) {                                                                        \
        const int8_t *x = in + r * depth;                                                               \
        T *y = out + r * depth;                                                                         \
        int32_t max = -128, scale;                                                                      \
        int64_t sum = 0;                                                                                \
        int bits_over_unit;                                                                             \
        for (c = 0; c < depth; ++c) if (x[c] > max) max = x[c];                                         \
        for (c = 0; c < depth; ++c) {                                                                   \
            const int32_t diff = (int32_t)x[c] - max;                                                   \
            if (diff >= diff_min)                                                                       \
                sum += tinycc_rdbpot(exp_table[-diff], 12);                                             \
        }                                                                                               \
        scale = tinycc_softmax_reciprocal(sum, &bits_over_unit);  /* sum >= 2^19: exp(0) of the max */ \
        for (c = 0; c < depth; ++c) {                                                                   \
            const int32_t diff = (int32_t)x[c] - max;                                                   \
            if (diff >= diff_min) {                                                                     \
                const int32_t v = tinycc_rdbpot_any(tinycc_srdhm(scale, exp_table[-diff]),              \
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

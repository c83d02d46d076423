/* SOFTMAX kernels. int8: TFLM's fixed-point algorithm (gemmlowp), exp(x - max) of each element
 * computed where it is needed (gemmlowp's exp_on_negative_values, a few hundred bytes of code in place
 * of a table of up to 1 KB). After common/sat_shl.h (tinycc_sat_shl). Any row length: the sum of
 * exponentials is an int64 (TFLM's int32 overflows from a real sum of 4096) and no shift count reaches
 * the operand's width (TFLM's output divide exponent passes 31 from a sum of 512); the results are
 * TFLM's continued in exact arithmetic, as tinycc.core.ops.softmax documents and computes. */

/* SaturatingRoundingDoublingHighMul where the operands are never both INT32_MIN (its one saturating case):
 * bits 31..62 of a * b + 2^30, put together from its two words (gcc then keeps to one SMLAL) */
static inline int32_t tinycc_srdhm_ns(int32_t a, int32_t b) {
    const int64_t p = (int64_t)a * (int64_t)b + ((int64_t)1 << 30);
    return (int32_t)(((uint32_t)(p >> 32) << 1) | ((uint32_t)p >> 31));
}

/* exp(beta * scale * diff) in Q0.31 of an int8 difference diff_min <= diff <= 0, as TFLM's softmax:
 * MultiplyByQuantizedMultiplierGreaterThanOne into a Q5.26 a, then gemmlowp's exp_on_negative_values:
 * exp on [-1/4, 0) by a Taylor polynomial around -1/8 for a mod 1/4 - 1/4, times exp(-2^k) for each
 * bit k = -2..4 of the rest. Out of line: softmax calls it twice an element (sum, then outputs) and one
 * copy is the smaller code (it replaces a table of up to 1 KB). Every product has an operand in
 * (-2^31, 2^31): a constant (the multiplier is in [2^30, 2^31)), or x in [-2^28, 2^28) and its powers. */
static __attribute__((noinline, unused)) int32_t tinycc_softmax_exp(int32_t diff, int32_t multiplier,
                                                                     int left_shift) {
    static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t a = tinycc_srdhm_ns((int32_t)((uint32_t)diff << left_shift), multiplier);
    /* a mod 1/4 - 1/4 in [-2^24, 0); in Q0.31 (a saturating << 5 that cannot saturate) plus 1/8 */
    const int32_t low = (int32_t)(((uint32_t)a & 0xFFFFFFu) - 0x1000000u);
    const int32_t x = (int32_t)(((uint32_t)low << 5) + (1u << 28));
    const int32_t x2 = tinycc_srdhm_ns(x, x), x3 = tinycc_srdhm_ns(x2, x);
    const int32_t x4_over_4 = tinycc_rdbpot(tinycc_srdhm_ns(x2, x2), 2);
    const int32_t poly = tinycc_rdbpot(tinycc_wadd(tinycc_srdhm_ns(tinycc_wadd(x4_over_4, x3), 715827883), x2), 1);
    const uint32_t rest = (uint32_t)low - (uint32_t)a;                 /* -a rounded up to 1/4: bits 24..30 */
    int32_t result = tinycc_wadd(1895147668, tinycc_srdhm_ns(1895147668, tinycc_wadd(x, poly)));
    int k;
    for (k = 0; k < 7; ++k)
        if (rest & (1u << (24 + k))) result = tinycc_srdhm_ns(result, barrel[k]);
    return a == 0 ? INT32_MAX : result;
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1 on raw Q0.31, three Newton-Raphson steps in Q2.29. */
static inline int32_t tinycc_one_over_one_plus_x(int32_t a) {
    /* RoundingHalfSum(a, INT32_MAX): (a + 2^31) / 2, a sum in [0, 2^32) halved as a uint32, but for
     * a = INT32_MIN (a sum of -1, rounded away from zero to -1); never INT32_MIN itself */
    const int32_t half_denominator = a == INT32_MIN ? -1 : (int32_t)(((uint32_t)a + 0x80000000u) >> 1);
    int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)tinycc_srdhm_ns(half_denominator, -1010580540));
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = tinycc_srdhm_ns(half_denominator, x);
        const int32_t one_minus = (int32_t)((uint32_t)((int32_t)1 << 29) - (uint32_t)hdx);
        x = (int32_t)((uint32_t)x + (uint32_t)tinycc_sat_shl(tinycc_srdhm(x, one_minus), 2));
    }
    return tinycc_sat_shl(x, 1);
}

static inline int tinycc_clz32(uint32_t x) {
#if defined(__GNUC__) && defined(__SIZEOF_INT__) && __SIZEOF_INT__ == 4
    return x == 0 ? 32 : __builtin_clz(x);             /* one CLZ on Arm */
#else
    int n = 0;
    if (x == 0) return 32;
    while (!(x & 0x80000000u)) { x <<= 1; ++n; }
    return n;
#endif
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

/* TFLM's GetReciprocal(sum, 12, &bits_over_unit) as TFLM computes it, for a sum in [2^19, 2^31): rows
 * whose sum of exponentials cannot reach 2^31 (the emitter's "short" rows) */
static inline int32_t tinycc_softmax_reciprocal32(uint32_t sum, int *bits_over_unit) {
    const int headroom = tinycc_clz32(sum);
    *bits_over_unit = 12 - headroom;
    return tinycc_one_over_one_plus_x((int32_t)((sum << headroom) - ((uint32_t)1 << 31)));
}

/* RoundingDivideByPOT for any exponent >= 0 in exact arithmetic: an int32 over 2^33 or more rounds to 0 */
static inline int32_t tinycc_rdbpot_any(int32_t x, int exponent) {
    if (exponent <= 31) return tinycc_rdbpot(x, exponent);
    return exponent == 32 && x == INT32_MIN ? -1 : 0;
}

/* int8 input; output T of OUT_BITS bits with zero point at its minimum (int8: 1/256, int16: 1/65536);
 * multiplier, left_shift: TFLM's input_beta_multiplier and input_beta_left_shift. Any row: SUM_T int64_t,
 * RECIPROCAL tinycc_softmax_reciprocal and DIVIDE tinycc_rdbpot_any; short rows (the emitter's choice:
 * every exponent's sum below 2^28 for int8 outputs, so the divide exponent stays <= 31, or 2^31 for
 * int16): uint32_t, tinycc_softmax_reciprocal32 and tinycc_rdbpot, TFLM's own int32 arithmetic. The
 * output's product keeps tinycc_srdhm (scale * exp never saturates): with no softmax call of it left,
 * gcc inlined it differently in other kernels (person_detect's first depthwise layer: 27% more cycles). */
#define TINYCC_SOFTMAX_Q(SUFFIX, T, OUT_BITS, OUT_MIN, OUT_MAX, SUM_T, RECIPROCAL, DIVIDE)              \
static inline void tinycc_softmax_##SUFFIX(int rows, int depth, const int8_t *in, T *out,               \
                                           int32_t multiplier, int left_shift, int32_t diff_min) {      \
    int r, c;                                                                                           \
    for (r = 0; r < rows; ++r) {                                                                        \
        const int8_t *x = in + r * depth;                                                               \
        T *y = out + r * depth;                                                                         \
        int32_t max = -128, scale;                                                                      \
        SUM_T sum = 0;                                                                                  \
        int bits_over_unit;                                                                             \
        for (c = 0; c < depth; ++c) if (x[c] > max) max = x[c];                                         \
        for (c = 0; c < depth; ++c) {                                                                   \
            const int32_t diff = (int32_t)x[c] - max;                                                   \
            if (diff >= diff_min)                                                                       \
                sum += tinycc_rdbpot(tinycc_softmax_exp(diff, multiplier, left_shift), 12);             \
        }                                                                                               \
        scale = RECIPROCAL(sum, &bits_over_unit);  /* sum >= 2^19: exp(0) of the max */                \
        for (c = 0; c < depth; ++c) {                                                                   \
            const int32_t diff = (int32_t)x[c] - max;                                                   \
            if (diff >= diff_min) {                                                                     \
                const int32_t e = tinycc_softmax_exp(diff, multiplier, left_shift);                     \
                const int32_t v = DIVIDE(tinycc_srdhm(scale, e), bits_over_unit + 31 - (OUT_BITS)) + (OUT_MIN); \
                y[c] = (T)tinycc_clamp(v, OUT_MIN, OUT_MAX);                                            \
            } else {                                                                                    \
                y[c] = (T)(OUT_MIN);                                                                    \
            }                                                                                           \
        }                                                                                               \
    }                                                                                                   \
}

TINYCC_SOFTMAX_Q(s8, int8_t, 8, -128, 127, int64_t, tinycc_softmax_reciprocal, tinycc_rdbpot_any)
TINYCC_SOFTMAX_Q(s8_s16, int16_t, 16, -32768, 32767, int64_t, tinycc_softmax_reciprocal, tinycc_rdbpot_any)
TINYCC_SOFTMAX_Q(s8_short, int8_t, 8, -128, 127, uint32_t, tinycc_softmax_reciprocal32, tinycc_rdbpot)
TINYCC_SOFTMAX_Q(s8_s16_short, int16_t, 16, -32768, 32767, uint32_t, tinycc_softmax_reciprocal32, tinycc_rdbpot)

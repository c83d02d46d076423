/* L2_NORMALIZATION over the last axis (TFLM's l2norm.cc). int8: the inverse square root of each
 * row's sum of squares as a multiplier and shift (GetInvSqrtQuantizedMultiplierExp: five
 * Newton-Raphson steps in gemmlowp Q3), then MultiplyByQuantizedMultiplier into scale 1/128.
 * (float32: l2norm_f32.h, which needs <math.h>.) */

/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent> for 0 < exponent < 31. */
static inline int32_t tinycc_l2norm_sat_shl(int32_t x, int exponent) {
    const int32_t limit = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
    if (x > limit) return INT32_MAX;
    if (x < -limit) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

static inline void tinycc_inv_sqrt_exp(int32_t input, int32_t *multiplier, int *left_shift) {
    int32_t x = 1 << 28, half_input;
    int shift = 11, clz = 0, pairs, i;
    uint32_t probe;
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *left_shift = 0;
        return;
    }
    while (input >= (1 << 29)) {
        input /= 4;
        ++shift;
    }
    for (probe = (uint32_t)input; !(probe & 0x80000000u); probe <<= 1) ++clz;
    pairs = (clz - 1) / 2 - 1;
    shift -= pairs;
    input = (int32_t)((uint32_t)input << (2 * pairs));
    half_input = tinycc_rdbpot(input >> 1, 1);
    for (i = 0; i < 5; ++i) {
        const int32_t x3 = tinycc_l2norm_sat_shl(tinycc_srdhm(tinycc_srdhm(x, x), x), 6);
        x = tinycc_l2norm_sat_shl(tinycc_wsub(tinycc_srdhm((1 << 28) + (1 << 27), x), tinycc_srdhm(half_input, x3)), 3);
    }
    x = tinycc_srdhm(x, 1518500250);
    if (shift < 0) {
        x = (int32_t)((uint32_t)x << -shift);
        shift = 0;
    }
    *multiplier = x;
    *left_shift = -shift;
}

static inline void tinycc_l2norm_s8(const int8_t *x, int8_t *y, int32_t rows, int32_t depth, int32_t zp) {
    int32_t r, c;
    for (r = 0; r < rows; ++r) {
        const int8_t *row = x + (long)r * depth;
        int32_t acc = 0, multiplier;
        int shift;
        for (c = 0; c < depth; ++c) acc += (row[c] - zp) * (row[c] - zp);
        tinycc_inv_sqrt_exp(acc, &multiplier, &shift);
        for (c = 0; c < depth; ++c)
            y[(long)r * depth + c] = (int8_t)tinycc_clamp(tinycc_mbqm(row[c] - zp, multiplier, shift + 7), -128, 127);
    }
}

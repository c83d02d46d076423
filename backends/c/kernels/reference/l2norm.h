/* L2_NORMALIZATION over the last axis (TFLM's l2norm.cc). int8: the inverse square root of each
 * row's sum of squares as a multiplier and shift (GetInvSqrtQuantizedMultiplierExp: five
 * Newton-Raphson steps in gemmlowp Q3; common/inv_sqrt.h, after sat_shl.h), then
 * MultiplyByQuantizedMultiplier into scale 1/128. (float32: l2norm_f32.h, which needs <math.h>.) */

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

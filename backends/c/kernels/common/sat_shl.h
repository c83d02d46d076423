/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent> for 0 < exponent < 31: x * 2^exponent, saturated
 * to int32 (used by softmax.h, log_softmax.h and inv_sqrt.h). */
static inline int32_t tinycc_sat_shl(int32_t x, int exponent) {
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

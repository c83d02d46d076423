/* int16 -> int16 (TFLM's SoftmaxInt16): 513-entry tables, 512 segments of 128 steps with a rounded
 * slope (lut_lookup); exp on [-10, 0] and 1 / (1 + x) on [0, 1], both made by tinycc's reference.
 * The Q16.15 sum is an int64 (TFLM's int32 overflows from 65,539 classes) and its normalisation
 * uses L = bit_length(sum) (TFLM's headroom_plus_one is 32 - L) with no shift reaching 64: beyond
 * TFLM's int32 range this is its arithmetic continued exactly (tinycc.core.ops.softmax). */
static inline int32_t tinycc_lut16(int32_t v, const int16_t *lut) {
    const int32_t biased = v + 32768;                  /* v in [-32768, 32767]: index 256 + floor(v / 128) */
    const int32_t index = biased >> 7, offset = biased & 0x7F;
    const int32_t slope = lut[index + 1] - lut[index];
    return lut[index] + ((slope * offset + 64) >> 7);
}

static inline void tinycc_softmax_s16(int rows, int depth, const int16_t *in, int16_t *out, const int16_t *exp_lut,
                                      const int16_t *recip_lut, int32_t mult, int shift) {
    int r, c;
    for (r = 0; r < rows; ++r) {
        const int16_t *x = in + (long)r * depth;
        int16_t *y = out + (long)r * depth;
        int32_t max = -32768, shifted, recip;
        int64_t sum = 0;
        int length, right;
        for (c = 0; c < depth; ++c) if (x[c] > max) max = x[c];
        for (c = 0; c < depth; ++c) {
            const int32_t scaled = tinycc_mbqm((int32_t)x[c] - max, mult, shift);
            y[c] = (int16_t)tinycc_lut16(tinycc_clamp(scaled + 32767, -32768, 32767), exp_lut);
            sum += y[c];
        }
        length = tinycc_bit_length64((uint64_t)sum | 1u);          /* sum >= 32767: exp(0) of the max */
        shifted = length <= 31 ? (int32_t)(((sum << (31 - length)) + (1 << 13)) >> 14)
                               : (int32_t)((sum + ((int64_t)1 << (length - 18))) >> (length - 17));
        recip = tinycc_lut16(tinycc_clamp(shifted - ((1 << 15) + (1 << 16)), -32768, 32767), recip_lut);
        right = length - 1;                                         /* at most 62: an int row's sum < 2^47 */
        for (c = 0; c < depth; ++c) {
            const int64_t v = ((int64_t)y[c] * recip + ((int64_t)1 << (right - 1))) >> right;
            y[c] = (int16_t)(v < 0 ? 0 : (v > 32767 ? 32767 : v));
        }
    }
}

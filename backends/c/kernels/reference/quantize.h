/* QUANTIZE between integer types beyond int8/int16 (int32 in or out, uint8): TFLM's Requantize,
 * (x - in_zp) wrapping in int32, double-rounding rescale, + out_zp wrapping, clamp to the output
 * type's range [lo, hi]. */
#define TINYCC_REQUANTIZE(SUFFIX, TI, TO)                                                        \
static inline void tinycc_requantize_##SUFFIX(int32_t n, const TI *x, TO *y, int32_t in_zp,       \
                                              int32_t mult, int32_t shift, int32_t out_zp,       \
                                              int32_t lo, int32_t hi) {                          \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i)                                                                      \
        y[i] = (TO)tinycc_clamp(tinycc_wadd(tinycc_mbqm(tinycc_wsub((int32_t)x[i], in_zp), mult, shift), \
                                            out_zp), lo, hi);                                    \
}
TINYCC_REQUANTIZE(s32_s8, int32_t, int8_t)
TINYCC_REQUANTIZE(s32_s16, int32_t, int16_t)
TINYCC_REQUANTIZE(s8_s32, int8_t, int32_t)
TINYCC_REQUANTIZE(s16_s32, int16_t, int32_t)
TINYCC_REQUANTIZE(s8_u8, int8_t, uint8_t)
TINYCC_REQUANTIZE(u8_s8, uint8_t, int8_t)
#undef TINYCC_REQUANTIZE

/* ABS of quantised int16 (TFLM's AbsEvalQuantized, zero points 0): |x| in int32, rescaled when
   the scales differ, clamped. int8 is a table (lut.h), float32 and raw int16 are maps (map.h). */
static inline void tinycc_abs_s16(int32_t n, const int16_t *x, int16_t *y, int rescale, int32_t multiplier,
                                  int shift) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        int32_t v = x[i] < 0 ? -(int32_t)x[i] : (int32_t)x[i];
        if (rescale) {
            v = tinycc_mbqm(v, multiplier, shift);
        }
        y[i] = (int16_t)tinycc_clamp(v, -32768, 32767);
    }
}

/* Float32 HARD_SWISH: x * min(6, max(0, x + 3)) / 6, in TFLM's order of operations. */
static inline void tinycc_hard_swish_f32(int32_t n, const float *x, float *y) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const float v = x[i];
        y[i] = v * tinycc_clampf(v + 3.0f, 0.0f, 6.0f) / 6.0f;
    }
}

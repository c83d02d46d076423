/* L2_NORMALIZATION float32 (TFLM's reference_ops::L2Normalization): per row of the last axis,
 * x / max(sqrt(sum of squares, added left to right), 1e-6f). */
static inline void tinycc_l2norm_f32(const float *x, float *y, int32_t rows, int32_t depth) {
    int32_t r, c;
    for (r = 0; r < rows; ++r) {
        const float *row = x + (long)r * depth;
        float total = 0.0f, norm;
        for (c = 0; c < depth; ++c) total += row[c] * row[c];
        norm = sqrtf(total);
        if (norm < 1e-6f) norm = 1e-6f;
        for (c = 0; c < depth; ++c) y[(long)r * depth + c] = row[c] / norm;
    }
}

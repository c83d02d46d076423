/* LOG_SOFTMAX float32 (TFLM's reference_ops::LogSoftmax): per row of the last axis,
 * x - max - logf(sum of expf(x - max), added left to right). */
static inline void tinycc_log_softmax_f32(const float *x, float *y, int32_t rows, int32_t depth) {
    int32_t r, c;
    for (r = 0; r < rows; ++r) {
        const float *row = x + (long)r * depth;
        float top = -FLT_MAX, sum = 0.0f, log_sum;
        for (c = 0; c < depth; ++c) if (row[c] > top) top = row[c];
        for (c = 0; c < depth; ++c) sum += expf(row[c] - top);
        log_sum = logf(sum);
        for (c = 0; c < depth; ++c) y[(long)r * depth + c] = row[c] - top - log_sum;
    }
}

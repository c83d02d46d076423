/* SOFTMAX float32 kernel: exp((x - max) * beta) / sum, over the last axis. Needs <math.h>. */
static inline void tinycc_softmax_f32(int rows, int depth, const float *in, float *out, float beta) {
    int r, c;
    for (r = 0; r < rows; ++r) {
        const float *x = in + r * depth;
        float *y = out + r * depth;
        float max = x[0], sum = 0.0f;
        for (c = 1; c < depth; ++c) if (x[c] > max) max = x[c];
        for (c = 0; c < depth; ++c) {
            y[c] = expf((x[c] - max) * beta);
            sum += y[c];
        }
        for (c = 0; c < depth; ++c) y[c] /= sum;
    }
}

/* CUMSUM (TF Lite Micro's reference_ops::CumSum): running sums along the middle dimension of an
 * (outer, depth, inner) box, `exclusive` (each output sums the elements before it) and `reverse`
 * (from the end). int8: each (input - zp) << 20 rescaled by a multiplier below one, an int32
 * accumulator starting at `start` (TFLM's rescaled -zp) and wrapping, the output rescaled back. */
typedef struct {
    int32_t input_zp, input_multiplier, input_shift, output_multiplier, output_shift, output_zp, start;
} tinycc_cumsum_q;

static inline void tinycc_cumsum_f32(const float *x, float *y, int32_t outer, int32_t depth, int32_t inner,
                                     int exclusive, int reverse) {
    int32_t o, i, d;
    for (o = 0; o < outer; ++o)
        for (i = 0; i < inner; ++i) {
            float acc = 0.0f;
            for (d = 0; d < depth; ++d) {
                const long k = ((long)o * depth + (reverse ? depth - 1 - d : d)) * inner + i;
                if (exclusive) {
                    y[k] = acc;
                    acc += x[k];
                } else {
                    acc += x[k];
                    y[k] = acc;
                }
            }
        }
}

static inline void tinycc_cumsum_s8(const int8_t *x, int8_t *y, int32_t outer, int32_t depth, int32_t inner,
                                    int exclusive, int reverse, const tinycc_cumsum_q *q) {
    int32_t o, i, d;
    for (o = 0; o < outer; ++o)
        for (i = 0; i < inner; ++i) {
            int32_t acc = q->start;
            for (d = 0; d < depth; ++d) {
                const long k = ((long)o * depth + (reverse ? depth - 1 - d : d)) * inner + i;
                const int32_t v = tinycc_mbqm(((int32_t)x[k] - q->input_zp) * (1 << 20), q->input_multiplier,
                                              (int)q->input_shift);
                int32_t sum;
                if (exclusive) {
                    sum = acc;
                    acc = tinycc_wadd(acc, v);
                } else {
                    acc = tinycc_wadd(acc, v);
                    sum = acc;
                }
                y[k] = (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm(sum, q->output_multiplier, (int)q->output_shift),
                                                        q->output_zp), -128, 127);
            }
        }
}

/* MEAN kernels. The input is described as two boxes of up to 6 dimensions (strides in elements):
 * the kept axes (row-major, which is the output order) and the reduced axes (row-major, which is
 * the order TFLM's Reduce loop adds them in). For each output element the reduced box is summed,
 * then rescaled (integer: TFLM's QuantizedMeanOrSum, one double-rounding multiplier that includes
 * 1/n) or divided by n (float). No scratch memory: one accumulator per output element. */
typedef struct {
    int32_t outer_dims[6], outer_strides[6];
    int32_t inner_dims[6], inner_strides[6];
    int32_t outer_count, inner_count;
} tinycc_reduce;

/* Odometer step over dims[0..last]: advances idx and returns the change of the element offset. */
static inline int32_t tinycc_reduce_step(const int32_t *dims, const int32_t *strides, int32_t *idx, int last) {
    int32_t delta = 0;
    int d;
    for (d = last; d >= 0; --d) {
        delta += strides[d];
        if (++idx[d] < dims[d]) break;
        delta -= dims[d] * strides[d];
        idx[d] = 0;
    }
    return delta;
}

/* Sum of the reduced box at p: the innermost reduced dimension as a plain loop, the others by odometer.
 * Integer sums use uint32_t so that wrapping (as TFLM's int32 accumulator does) is well defined. */
#define TINYCC_MEAN_SUM(SUFFIX, T, ACC)                                                              \
static inline ACC tinycc_mean_sum_##SUFFIX(const tinycc_reduce *r, const T *p) {                     \
    const int32_t n5 = r->inner_dims[5], s5 = r->inner_strides[5];                                    \
    const int32_t rows = n5 > 0 ? r->inner_count / n5 : 0;                                           \
    int32_t idx[6] = {0, 0, 0, 0, 0, 0};                                                             \
    int32_t k, j, off = 0;                                                                           \
    ACC acc = 0;                                                                                     \
    for (k = 0; k < rows; ++k) {                                                                     \
        const T *q = p + off;                                                                        \
        for (j = 0; j < n5; ++j) acc += (ACC)q[j * s5];                                              \
        off += tinycc_reduce_step(r->inner_dims, r->inner_strides, idx, 4);                          \
    }                                                                                                \
    return acc;                                                                                      \
}
TINYCC_MEAN_SUM(s8, int8_t, uint32_t)
TINYCC_MEAN_SUM(s16, int16_t, uint32_t)
TINYCC_MEAN_SUM(f32, float, float)

#define TINYCC_MEAN_Q(SUFFIX, T, LO, HI)                                                              \
static inline void tinycc_mean_##SUFFIX(const tinycc_reduce *r, const T *x, T *y, int32_t in_zp,      \
                                        int32_t mult, int shift, int32_t out_zp) {                    \
    int32_t idx[6] = {0, 0, 0, 0, 0, 0};                                                             \
    int32_t o, off = 0;                                                                              \
    for (o = 0; o < r->outer_count; ++o) {                                                           \
        uint32_t sum = tinycc_mean_sum_##SUFFIX(r, x + off);                                         \
        sum -= (uint32_t)in_zp * (uint32_t)r->inner_count;                                           \
        y[o] = r->inner_count == 0 ? (T)0                                                            \
             : (T)tinycc_clamp(tinycc_wadd(tinycc_mbqm((int32_t)sum, mult, shift), out_zp), LO, HI); \
        off += tinycc_reduce_step(r->outer_dims, r->outer_strides, idx, 5);                          \
    }                                                                                                \
}
TINYCC_MEAN_Q(s8, int8_t, -128, 127)
TINYCC_MEAN_Q(s16, int16_t, -32768, 32767)

static inline void tinycc_mean_f32(const tinycc_reduce *r, const float *x, float *y) {
    int32_t idx[6] = {0, 0, 0, 0, 0, 0};
    int32_t o, off = 0;
    for (o = 0; o < r->outer_count; ++o) {
        const float sum = tinycc_mean_sum_f32(r, x + off);
        y[o] = r->inner_count == 0 ? 0.0f : sum / (float)r->inner_count;
        off += tinycc_reduce_step(r->outer_dims, r->outer_strides, idx, 5);
    }
}

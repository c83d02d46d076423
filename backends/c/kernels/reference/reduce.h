/* SUM (float32), REDUCE_MAX and REDUCE_MIN kernels over mean.h's two boxes (tinycc_reduce: the
 * kept axes in output order, the reduced axes in TFLM's row-major order). Integer SUM is mean.h's
 * tinycc_mean_s8/_s16 with a multiplier that does not fold 1/n in. */

/* float32 SUM: 0.0f plus the reduced elements, left to right (TFLM's ReduceGeneric). */
static inline void tinycc_sum_f32(const tinycc_reduce *r, const float *x, float *y) {
    int32_t idx[6] = {0, 0, 0, 0, 0, 0};
    int32_t o, off = 0;
    for (o = 0; o < r->outer_count; ++o) {
        y[o] = 0.0f + tinycc_mean_sum_f32(r, x + off);
        off += tinycc_reduce_step(r->outer_dims, r->outer_strides, idx, 5);
    }
}

/* REDUCE_MAX / REDUCE_MIN: start from INIT, take an element only when BETTER(element, current)
 * (a NaN never is), as TFLM's ReduceGeneric with its comparison lambda. */
#define TINYCC_REDUCE_EXTREME(NAME, T, INIT, BETTER)                                                  \
static inline void tinycc_##NAME(const tinycc_reduce *r, const T *x, T *y) {                         \
    const int32_t n5 = r->inner_dims[5], s5 = r->inner_strides[5];                                    \
    const int32_t rows = n5 > 0 ? r->inner_count / n5 : 0;                                           \
    int32_t oidx[6] = {0, 0, 0, 0, 0, 0};                                                            \
    int32_t o, off = 0;                                                                              \
    for (o = 0; o < r->outer_count; ++o) {                                                           \
        int32_t iidx[6] = {0, 0, 0, 0, 0, 0};                                                        \
        int32_t k, j, ioff = 0;                                                                      \
        T best = INIT;                                                                               \
        for (k = 0; k < rows; ++k) {                                                                 \
            const T *q = x + off + ioff;                                                             \
            for (j = 0; j < n5; ++j) {                                                               \
                const T v = q[j * s5];                                                               \
                if (BETTER(v, best)) best = v;                                                       \
            }                                                                                        \
            ioff += tinycc_reduce_step(r->inner_dims, r->inner_strides, iidx, 4);                    \
        }                                                                                            \
        y[o] = best;                                                                                 \
        off += tinycc_reduce_step(r->outer_dims, r->outer_strides, oidx, 5);                         \
    }                                                                                                \
}
#define TINYCC_GREATER(a, b) ((a) > (b))
#define TINYCC_LESS(a, b) ((a) < (b))
TINYCC_REDUCE_EXTREME(reduce_max_s8, int8_t, -128, TINYCC_GREATER)
TINYCC_REDUCE_EXTREME(reduce_max_f32, float, -FLT_MAX, TINYCC_GREATER)
TINYCC_REDUCE_EXTREME(reduce_min_s8, int8_t, 127, TINYCC_LESS)
TINYCC_REDUCE_EXTREME(reduce_min_f32, float, FLT_MAX, TINYCC_LESS)

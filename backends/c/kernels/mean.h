/* MEAN kernels: for each output element (the kept axes, row-major), sum the reduced axes, then
 * rescale (integer: one double-rounding multiplier that includes 1/n, as TFLM) or divide. */
typedef struct {
    int32_t outer_dims[6], outer_strides[6], inner_dims[6], inner_strides[6];
    int32_t outer_count, inner_count;
} tinycc_reduce;

static inline int32_t tinycc_box_offset(const int32_t dims[6], const int32_t strides[6], int32_t k) {
    int32_t off = 0;
    int d;
    for (d = 5; d >= 0; --d) {
        off += (k % dims[d]) * strides[d];
        k /= dims[d];
    }
    return off;
}

#define TINYCC_MEAN_Q(SUFFIX, T, LO, HI)                                                            \
static inline void tinycc_mean_##SUFFIX(const tinycc_reduce *r, const T *x, T *y, int32_t in_zp,    \
                                        int32_t mult, int32_t shift, int32_t out_zp) {              \
    int32_t o, i;                                                                                   \
    for (o = 0; o < r->outer_count; ++o) {                                                          \
        const T *base = x + tinycc_box_offset(r->outer_dims, r->outer_strides, o);                  \
        uint32_t sum = 0;                                                                           \
        for (i = 0; i < r->inner_count; ++i)                                                        \
            sum += (uint32_t)(int32_t)base[tinycc_box_offset(r->inner_dims, r->inner_strides, i)];  \
        sum -= (uint32_t)in_zp * (uint32_t)r->inner_count;                                          \
        y[o] = (T)tinycc_clamp(tinycc_mbqm((int32_t)sum, mult, shift) + out_zp, LO, HI);            \
    }                                                                                               \
}
TINYCC_MEAN_Q(s8, int8_t, -128, 127)
TINYCC_MEAN_Q(s16, int16_t, -32768, 32767)

static inline void tinycc_mean_f32(const tinycc_reduce *r, const float *x, float *y) {
    int32_t o, i;
    for (o = 0; o < r->outer_count; ++o) {
        const float *base = x + tinycc_box_offset(r->outer_dims, r->outer_strides, o);
        float sum = 0.0f;
        for (i = 0; i < r->inner_count; ++i) sum += base[tinycc_box_offset(r->inner_dims, r->inner_strides, i)];
        y[o] = sum / (float)r->inner_count;
    }
}

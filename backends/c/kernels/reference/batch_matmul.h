/* BATCH_MATMUL: out[b][i][j] = sum_k lhs(b, i, k) * rhs(b, k, j) over three broadcast batch
 * dimensions. geo[16] (made at compile time, ops/batch_matmul.py): batch sizes B0 B1 B2; lhs and
 * rhs element offsets per batch step (0 where that operand broadcasts), three each; rows, depth,
 * cols; lhs strides of a row and of k; rhs strides of k and of a column (adj_x / adj_y are strides,
 * no transposed copy). int8 sums wrap in int32 as TFLM's do, int16 sums in int64. */
#define TINYCC_BMM_LOOPS(BODY) \
    int32_t b0, b1, b2, i, j, k; \
    long o = 0; \
    for (b0 = 0; b0 < geo[0]; ++b0) \
    for (b1 = 0; b1 < geo[1]; ++b1) \
    for (b2 = 0; b2 < geo[2]; ++b2) { \
        const long lb = (long)b0 * geo[3] + (long)b1 * geo[4] + (long)b2 * geo[5]; \
        const long rb = (long)b0 * geo[6] + (long)b1 * geo[7] + (long)b2 * geo[8]; \
        for (i = 0; i < geo[9]; ++i) \
        for (j = 0; j < geo[11]; ++j, ++o) { \
            const long lr = lb + (long)i * geo[12], rc = rb + (long)j * geo[15]; \
            BODY \
        } \
    }

static inline void tinycc_batch_matmul_s8(const int32_t *geo, const int8_t *lhs, const int8_t *rhs, int8_t *out,
                                          int32_t lhs_zp, int32_t rhs_zp, int32_t out_zp, int32_t mult,
                                          int32_t shift) {
    TINYCC_BMM_LOOPS(
        uint32_t acc = 0;
        int32_t v;
        for (k = 0; k < geo[10]; ++k)
            acc += (uint32_t)(((int32_t)lhs[lr + (long)k * geo[13]] - lhs_zp) *
                              ((int32_t)rhs[rc + (long)k * geo[14]] - rhs_zp));
        v = tinycc_wadd(tinycc_mbqm((int32_t)acc, mult, shift), out_zp);
        out[o] = (int8_t)tinycc_clamp(v, -128, 127);
    )
}

static inline void tinycc_batch_matmul_s16(const int32_t *geo, const int16_t *lhs, const int16_t *rhs,
                                           int16_t *out, int32_t mult, int32_t shift) {
    TINYCC_BMM_LOOPS(
        int64_t acc = 0;
        for (k = 0; k < geo[10]; ++k)
            acc += (int64_t)((int32_t)lhs[lr + (long)k * geo[13]] * (int32_t)rhs[rc + (long)k * geo[14]]);
        out[o] = (int16_t)tinycc_clamp(tinycc_mbqm64(acc, mult, shift), -32768, 32767);
    )
}

static inline void tinycc_batch_matmul_f32(const int32_t *geo, const float *lhs, const float *rhs, float *out) {
    TINYCC_BMM_LOOPS(
        float acc = 0.0f;
        for (k = 0; k < geo[10]; ++k) acc += lhs[lr + (long)k * geo[13]] * rhs[rc + (long)k * geo[14]];
        out[o] = acc;
    )
}
#undef TINYCC_BMM_LOOPS

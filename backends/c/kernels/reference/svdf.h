/* SVDF kernels (int8 with an int16 or int8 state, float32) as TF Lite Micro's reference computes them
 * (svdf_common.cc): the state (batch, filters x memory), a variable tensor in the persistent state
 * buffer, shifts one step to the past per filter; the newest slot gets the feature projection
 * (int8: rescaled to the state scale, saturated to the state type, plus its zero point, narrowed
 * wrapping); per filter the time projection; per unit the bias plus its `rank` filters, rescaled to
 * int8 (float32: the fused activation's clamp). int32 sums wrap as TFLM's do. */
typedef struct {
    int32_t batch, size, filters, memory, rank;
    int32_t input_zp, state_zp, output_zp;
    int32_t mult1, shift1, mult2, shift2;
} tinycc_svdf_params;

static inline int32_t tinycc_svdf_narrow(int32_t v, int bits) {
    /* v narrowed to a signed `bits`-bit integer, wrapping (two's complement), without an
     * implementation-defined conversion */
    const uint32_t mask = (1u << bits) - 1u, sign = 1u << (bits - 1);
    const uint32_t u = (uint32_t)v & mask;
    return u & sign ? -(int32_t)(mask - u) - 1 : (int32_t)u;
}

static inline int32_t tinycc_svdf_wrap32(uint32_t u) {
    return u & 0x80000000u ? -(int32_t)(0xFFFFFFFFu - u) - 1 : (int32_t)u;
}

#define TINYCC_SVDF_S8(SUFFIX, STYPE, BITS, LO, HI)                                                        \
static inline void tinycc_svdf_##SUFFIX(const int8_t *x, const int8_t *wf, const STYPE *wt, const int32_t *bias, \
                                        STYPE *state, int8_t *y, const tinycc_svdf_params *p) {            \
    int32_t b, f, j, u, r;                                                                                 \
    for (b = 0; b < p->batch; ++b) {                                                                       \
        STYPE *mem = state + (size_t)b * (size_t)(p->filters * p->memory);                                 \
        const int8_t *xb = x + (size_t)b * (size_t)p->size;                                                \
        for (f = 0; f < p->filters; ++f) {                                                                 \
            STYPE *row = mem + (size_t)f * (size_t)p->memory;                                              \
            uint32_t dot = 0;                                                                              \
            int32_t v;                                                                                     \
            for (j = 0; j + 1 < p->memory; ++j) row[j] = row[j + 1];                                       \
            for (j = 0; j < p->size; ++j)                                                                  \
                dot += (uint32_t)(((int32_t)xb[j] - p->input_zp) * (int32_t)wf[(size_t)f * (size_t)p->size + (size_t)j]); \
            v = tinycc_clamp(tinycc_mbqm(tinycc_svdf_wrap32(dot), p->mult1, p->shift1), LO, HI); \
            row[p->memory - 1] = (STYPE)tinycc_svdf_narrow(tinycc_wadd(v, p->state_zp), BITS);            \
        }                                                                                                  \
        for (u = 0; u < p->filters / p->rank; ++u) {                                                       \
            uint32_t acc = (uint32_t)bias[u];                                                              \
            int32_t out;                                                                                   \
            for (r = 0; r < p->rank; ++r) {                                                                \
                const size_t fi = (size_t)(u * p->rank + r);                                               \
                const STYPE *row = mem + fi * (size_t)p->memory;                                           \
                const STYPE *w = wt + fi * (size_t)p->memory;                                              \
                for (j = 0; j < p->memory; ++j)                                                            \
                    acc += (uint32_t)(int64_t)(((int64_t)row[j] - p->state_zp) * (int64_t)w[j]);          \
            }                                                                                              \
            out = tinycc_wadd(tinycc_mbqm(tinycc_svdf_wrap32(acc), p->mult2, p->shift2), p->output_zp); \
            y[(size_t)b * (size_t)(p->filters / p->rank) + (size_t)u] = (int8_t)tinycc_clamp(out, -128, 127); \
        }                                                                                                  \
    }                                                                                                      \
}

TINYCC_SVDF_S8(s8_s16, int16_t, 16, -32768, 32767)
TINYCC_SVDF_S8(s8_s8, int8_t, 8, -128, 127)

static inline void tinycc_svdf_f32(const float *x, const float *wf, const float *wt, const float *bias, float *state,
                                   float *y, const tinycc_svdf_params *p, float lo, float hi) {
    int32_t b, f, j, u, r;
    for (b = 0; b < p->batch; ++b) {
        float *mem = state + (size_t)b * (size_t)(p->filters * p->memory);
        const float *xb = x + (size_t)b * (size_t)p->size;
        for (f = 0; f < p->filters; ++f) {
            float *row = mem + (size_t)f * (size_t)p->memory;
            float dot = 0.0f;
            for (j = 0; j + 1 < p->memory; ++j) row[j] = row[j + 1];
            for (j = 0; j < p->size; ++j) dot += xb[j] * wf[(size_t)f * (size_t)p->size + (size_t)j];
            row[p->memory - 1] = dot;
        }
        for (u = 0; u < p->filters / p->rank; ++u) {
            float acc = bias[u];
            for (r = 0; r < p->rank; ++r) {
                const size_t fi = (size_t)(u * p->rank + r);
                const float *row = mem + fi * (size_t)p->memory;
                const float *w = wt + fi * (size_t)p->memory;
                float t = 0.0f;
                for (j = 0; j < p->memory; ++j) t += row[j] * w[j];
                acc += t;
            }
            y[(size_t)b * (size_t)(p->filters / p->rank) + (size_t)u] = tinycc_clampf(acc, lo, hi);
        }
    }
}

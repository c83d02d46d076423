/* ADD / SUB / MUL kernels with numpy broadcasting (TFLM reference arithmetic). A NULL
 * broadcast description means both inputs have the output's shape. `linear` (each input is either
 * one element or as many as the output: a scalar operand, or the same elements under another rank)
 * maps output element i to a_step * i and b_step * i (steps 0 or 1) without the per-dimension
 * division of the general walk. */
typedef struct {
    int32_t dims[6], a_strides[6], b_strides[6];
    int32_t linear, a_step, b_step;
} tinycc_bcast;

typedef struct {
    int32_t in1_zp, in2_zp, out_zp, left_shift;
    int32_t in1_mult, in1_shift, in2_mult, in2_shift, out_mult, out_shift;
    int32_t act_min, act_max;
} tinycc_addsub_params;

typedef struct {
    int32_t in1_zp, in2_zp, out_zp, mult, shift, act_min, act_max;
} tinycc_mul_params;

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && defined(__OPTIMIZE__) && !defined(TINYCC_NO_ASM)
#define TINYCC_MVE_ADDSUB 1   /* Helium: optimised/mve_elementwise.h (after this file) takes same-shape int8 */
static inline int tinycc_mve_addsub_s8(int32_t n, const tinycc_bcast *s, const int8_t *a, const int8_t *b, int8_t *out,
                                       const tinycc_addsub_params *p, int sign);
static inline int tinycc_mve_addsub_s16(int32_t n, const tinycc_bcast *s, const int16_t *a, const int16_t *b,
                                        int16_t *out, const tinycc_addsub_params *p, int sign);
#define TINYCC_ADDSUB_FAST(SUFFIX) if (tinycc_mve_addsub_##SUFFIX(n, s, a, b, out, p, sign)) return;
#else
#define TINYCC_ADDSUB_FAST(SUFFIX)
#endif

static inline void tinycc_bcast_index(const tinycc_bcast *s, int32_t i, int32_t *ia, int32_t *ib) {
    int d;
    *ia = 0;
    *ib = 0;
    if (s == NULL) { *ia = i; *ib = i; return; }
    if (s->linear) { *ia = i * s->a_step; *ib = i * s->b_step; return; }
    for (d = 5; d >= 0; --d) {
        const int32_t k = i % s->dims[d];
        i /= s->dims[d];
        *ia += k * s->a_strides[d];
        *ib += k * s->b_strides[d];
    }
}

/* sign = +1 for ADD, -1 for SUB */
#define TINYCC_ADDSUB_Q(SUFFIX, T)                                                                  \
static inline void tinycc_addsub_##SUFFIX(int32_t n, const tinycc_bcast *s, const T *a, const T *b,  \
                                          T *out, const tinycc_addsub_params *p, int sign) {         \
    int32_t i, ia, ib;                                                                              \
    TINYCC_ADDSUB_FAST(SUFFIX)                                                                      \
    for (i = 0; i < n; ++i) {                                                                       \
        int32_t x1, x2, raw;                                                                        \
        tinycc_bcast_index(s, i, &ia, &ib);                                                         \
        x1 = tinycc_mbqm((int32_t)(((uint32_t)((int32_t)a[ia] - p->in1_zp)) << p->left_shift),       \
                         p->in1_mult, p->in1_shift);                                                \
        x2 = tinycc_mbqm((int32_t)(((uint32_t)((int32_t)b[ib] - p->in2_zp)) << p->left_shift),       \
                         p->in2_mult, p->in2_shift);                                                \
        raw = sign > 0 ? tinycc_wadd(x1, x2) : tinycc_wsub(x1, x2);                                 \
        out[i] = (T)tinycc_clamp(tinycc_wadd(tinycc_mbqm(raw, p->out_mult, p->out_shift), p->out_zp), \
                                 p->act_min, p->act_max);                                           \
    }                                                                                               \
}

#define TINYCC_MUL_Q(SUFFIX, T)                                                                     \
static inline void tinycc_mul_##SUFFIX(int32_t n, const tinycc_bcast *s, const T *a, const T *b,     \
                                       T *out, const tinycc_mul_params *p) {                        \
    int32_t i, ia, ib;                                                                              \
    for (i = 0; i < n; ++i) {                                                                       \
        int32_t prod;                                                                               \
        tinycc_bcast_index(s, i, &ia, &ib);                                                         \
        prod = (int32_t)((uint32_t)((int32_t)a[ia] - p->in1_zp) * (uint32_t)((int32_t)b[ib] - p->in2_zp)); \
        out[i] = (T)tinycc_clamp(tinycc_wadd(tinycc_mbqm(prod, p->mult, p->shift), p->out_zp),      \
                                 p->act_min, p->act_max);                                           \
    }                                                                                               \
}

TINYCC_ADDSUB_Q(s8, int8_t)
TINYCC_ADDSUB_Q(s16, int16_t)
TINYCC_MUL_Q(s8, int8_t)
TINYCC_MUL_Q(s16, int16_t)

/* op: 0 add, 1 sub, 2 mul */
static inline void tinycc_binary_f32(int32_t n, const tinycc_bcast *s, const float *a, const float *b,
                                     float *out, int op, float act_min, float act_max) {
    int32_t i, ia, ib;
    for (i = 0; i < n; ++i) {
        float v;
        tinycc_bcast_index(s, i, &ia, &ib);
        v = op == 0 ? a[ia] + b[ib] : (op == 1 ? a[ia] - b[ib] : a[ia] * b[ib]);
        out[i] = tinycc_clampf(v, act_min, act_max);
    }
}

/* Two-input elementwise functions with numpy broadcasting (needs elementwise.h's tinycc_bcast):
 * MINIMUM/MAXIMUM, the comparisons, LOGICAL_AND/OR, DIV, SQUARED_DIFFERENCE, FLOOR_DIV/MOD, PRELU.
 * TINYCC_BINARY_FN(name, TA, TO, expr of x and y) defines name(n, bcast, a, b, out), and
 * TINYCC_BINARY_FN_P the same with a parameter pointer p; the emitters instantiate only the
 * functions a model uses. */
#define TINYCC_BINARY_FN(NAME, TA, TO, EXPR)                                                     \
static void NAME(int32_t n, const tinycc_bcast *s, const TA *a, const TA *b, TO *out) {             \
    int32_t i, ia, ib;                                                                              \
    for (i = 0; i < n; ++i) {                                                                       \
        TA x, y;                                                                                    \
        tinycc_bcast_index(s, i, &ia, &ib);                                                         \
        x = a[ia];                                                                                  \
        y = b[ib];                                                                                  \
        out[i] = (TO)(EXPR);                                                                        \
    }                                                                                               \
}

#define TINYCC_BINARY_FN_P(NAME, TA, TB, TO, PT, EXPR)                                            \
static void NAME(int32_t n, const tinycc_bcast *s, const TA *a, const TB *b, TO *out, const PT *p) { \
    int32_t i, ia, ib;                                                                              \
    for (i = 0; i < n; ++i) {                                                                       \
        TA x;                                                                                       \
        TB y;                                                                                       \
        tinycc_bcast_index(s, i, &ia, &ib);                                                         \
        x = a[ia];                                                                                  \
        y = b[ib];                                                                                  \
        out[i] = (TO)(EXPR);                                                                        \
    }                                                                                               \
}

/* One quantised input of a comparison, as TFLM's ComparisonWithScaling: ((x - zp) << left_shift)
 * rescaled by its own multiplier (shift <= 0). */
typedef struct {
    int32_t zp, mult, shift, left_shift;
} tinycc_cmp_input;

typedef struct {
    tinycc_cmp_input in1, in2;
} tinycc_cmp_params;

static inline int32_t tinycc_cmp_scale(int32_t x, const tinycc_cmp_input *q) {
    return tinycc_mbqm((int32_t)((uint32_t)(x - q->zp) << q->left_shift), q->mult, q->shift);
}

/* int32 a / b as C truncates, defined for every input: 0 for b == 0 (TFLM would crash),
 * INT32_MIN / -1 wraps to INT32_MIN. */
static inline int32_t tinycc_div_i32(int32_t a, int32_t b) {
    if (b == 0) return 0;
    if (b == -1) return (int32_t)(0u - (uint32_t)a);
    return a / b;
}

/* SQUARED_DIFFERENCE, quantised as TFLM's squared_difference.cc (the ADD family's input rescale) */
typedef struct {
    int32_t in1_zp, in2_zp, out_zp, left_shift;
    int32_t in1_mult, in1_shift, in2_mult, in2_shift, out_mult, out_shift;
    int32_t act_min, act_max;
} tinycc_sqdiff_params;

static inline int32_t tinycc_sqdiff_q(int32_t x, int32_t y, const tinycc_sqdiff_params *p) {
    const int32_t x1 = tinycc_mbqm((int32_t)((uint32_t)(x - p->in1_zp) << p->left_shift), p->in1_mult, p->in1_shift);
    const int32_t x2 = tinycc_mbqm((int32_t)((uint32_t)(y - p->in2_zp) << p->left_shift), p->in2_mult, p->in2_shift);
    const int32_t d = x1 - x2;     /* |d| <= 2^15: the square fits */
    return tinycc_clamp(tinycc_wadd(tinycc_mbqm(d * d, p->out_mult, p->out_shift), p->out_zp), p->act_min, p->act_max);
}

/* int32 (a - b)^2 wrapping, as TFLM's int32 arithmetic does on its hosts */
static inline int32_t tinycc_sqdiff_i32(int32_t x, int32_t y) {
    const uint32_t d = (uint32_t)x - (uint32_t)y;
    return (int32_t)(d * d);
}

/* PRELU int8, as TFLM's BroadcastPrelu4DSlow */
typedef struct {
    int32_t in_zp, alpha_zp, out_zp, mult1, shift1, mult2, shift2;
} tinycc_prelu_params;

static inline int8_t tinycc_prelu_q(int32_t x, int32_t alpha, const tinycc_prelu_params *p) {
    const int32_t v = x - p->in_zp;
    const int32_t y = v >= 0 ? tinycc_mbqm(v, p->mult1, p->shift1)
                             : tinycc_mbqm(v * (alpha - p->alpha_zp), p->mult2, p->shift2);
    return (int8_t)tinycc_clamp(tinycc_wadd(y, p->out_zp), -128, 127);
}

/* FLOOR_MOD float, as TFLM's FloorMod: fmod, moved into b's sign (needs math.h) */
#define tinycc_floor_mod_f(x, y) tinycc_floor_mod_f_(fmodf((x), (y)), (y))
static inline float tinycc_floor_mod_f_(float r, float b) {
    return (r != 0.0f && ((b < 0.0f) != (r < 0.0f))) ? r + b : r;
}

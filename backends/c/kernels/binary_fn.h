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

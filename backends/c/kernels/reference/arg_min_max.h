/* ARG_MAX / ARG_MIN (TFLM's reference_ops::ArgMinMax): the input seen as (outer, size, inner);
 * for each (outer, inner) the int32 index of the first element that no later element beats
 * strictly (a NaN never beats, nor is beaten: comparisons with it are false). */
#define TINYCC_ARG_MIN_MAX(NAME, T, BETTER)                                                           \
static inline void tinycc_##NAME(const T *x, int32_t *y, int32_t outer, int32_t size, int32_t inner) { \
    int32_t o, i, k;                                                                                 \
    for (o = 0; o < outer; ++o) {                                                                    \
        const T *base = x + (long)o * size * inner;                                                  \
        for (k = 0; k < inner; ++k) {                                                                \
            T best = base[k];                                                                        \
            int32_t index = 0;                                                                       \
            for (i = 1; i < size; ++i) {                                                             \
                const T v = base[(long)i * inner + k];                                               \
                if (v BETTER best) { best = v; index = i; }                                          \
            }                                                                                        \
            y[(long)o * inner + k] = index;                                                          \
        }                                                                                            \
    }                                                                                                \
}
TINYCC_ARG_MIN_MAX(arg_max_s8, int8_t, >)
TINYCC_ARG_MIN_MAX(arg_max_f32, float, >)
TINYCC_ARG_MIN_MAX(arg_min_s8, int8_t, <)
TINYCC_ARG_MIN_MAX(arg_min_f32, float, <)

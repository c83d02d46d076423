/* SELECT_V2: out[i] = cond ? x : y with numpy broadcasting of the three operands (a NULL
 * description: all three have the output's shape). */
typedef struct {
    int32_t dims[6], c_strides[6], x_strides[6], y_strides[6];
} tinycc_bcast3;

#define TINYCC_SELECT(SUFFIX, T)                                                                    \
static inline void tinycc_select_##SUFFIX(int32_t n, const tinycc_bcast3 *s, const uint8_t *cond,   \
                                          const T *x, const T *y, T *out) {                         \
    int32_t i;                                                                                      \
    for (i = 0; i < n; ++i) {                                                                       \
        int32_t ic = i, ix = i, iy = i;                                                             \
        if (s != NULL) {                                                                            \
            int32_t rest = i;                                                                       \
            int d;                                                                                  \
            ic = ix = iy = 0;                                                                       \
            for (d = 5; d >= 0; --d) {                                                              \
                const int32_t k = rest % s->dims[d];                                                \
                rest /= s->dims[d];                                                                 \
                ic += k * s->c_strides[d];                                                          \
                ix += k * s->x_strides[d];                                                          \
                iy += k * s->y_strides[d];                                                          \
            }                                                                                       \
        }                                                                                           \
        out[i] = cond[ic] ? x[ix] : y[iy];                                                          \
    }                                                                                               \
}

TINYCC_SELECT(s8, int8_t)
TINYCC_SELECT(s16, int16_t)
TINYCC_SELECT(f32, float)

/* BROADCAST_ARGS: two shape vectors aligned on the right; every entry read as a 32-bit int
 * (int64 entries wrap, as TFLM's `int` does), a 1 gives way to the other side's entry. */
#define TINYCC_BROADCAST_ARGS(SUFFIX, T)                                                         \
static inline void tinycc_broadcast_args_##SUFFIX(const T *a, int32_t na, const T *b, int32_t nb,  \
                                                  T *out, int32_t n) {                          \
    int32_t i;                                                                                  \
    for (i = 0; i < n; ++i) {                                                                   \
        const int32_t x = i < n - na ? 1 : tinycc_wrap_s32((int64_t)a[i - (n - na)]);           \
        const int32_t y = i < n - nb ? 1 : tinycc_wrap_s32((int64_t)b[i - (n - nb)]);           \
        out[i] = (T)(x == 1 ? y : x);                                                           \
    }                                                                                           \
}
TINYCC_BROADCAST_ARGS(s32, int32_t)
TINYCC_BROADCAST_ARGS(s64, int64_t)

/* One-input elementwise kernels given by a per-element function. TINYCC_MAP(NAME, TIN, TOUT)
   defines tinycc_map_NAME(n, x, y): y[i] = tinycc_elem_NAME(x[i]) for i < n, where the emitter
   defines the static inline tinycc_elem_NAME (backends/c/ops/_map.py) just before. Element i is
   read before it is written, so y may be x. */
#define TINYCC_MAP(NAME, TIN, TOUT)                                                              \
static inline void tinycc_map_##NAME(int32_t n, const TIN *x, TOUT *y) {                         \
    int32_t i;                                                                                   \
    for (i = 0; i < n; ++i) {                                                                    \
        y[i] = tinycc_elem_##NAME(x[i]);                                                         \
    }                                                                                            \
}

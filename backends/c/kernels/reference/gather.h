/* GATHER: for each batch and outer index, copy the inner rows the positions name (positions
 * were checked against the axis size at compile time). Sizes in elements. */
static inline void tinycc_gather(const void *input, const int32_t *positions, void *output, int32_t batch,
                                 int32_t outer, int32_t axis_size, int32_t coords, int32_t inner, int32_t elem) {
    const unsigned char *in = (const unsigned char *)input;
    unsigned char *out = (unsigned char *)output;
    const long row = (long)inner * elem;
    int32_t b, o, k;
    for (b = 0; b < batch; ++b)
        for (o = 0; o < outer; ++o)
            for (k = 0; k < coords; ++k) {
                const long src = ((long)b * outer + o) * axis_size + positions[(long)b * coords + k];
                const long dst = ((long)b * outer + o) * coords + k;
                tinycc_copy_bytes((int8_t *)(out + dst * row), (const int8_t *)(in + src * row), row);
            }
}

/* GATHER with positions computed at run time: every position is checked against [0, axis_size)
 * before anything is copied; 1 (nothing written) when one is outside, as TFLM fails the invoke, else 0. */
static inline int tinycc_gather_checked(const void *input, const int32_t *positions, void *output,
                                        int32_t batch, int32_t outer, int32_t axis_size, int32_t coords,
                                        int32_t inner, int32_t elem) {
    long k;
    for (k = 0; k < (long)batch * coords; ++k)
        if (positions[k] < 0 || positions[k] >= axis_size) return 1;
    tinycc_gather(input, positions, output, batch, outer, axis_size, coords, inner, elem);
    return 0;
}

/* GATHER_ND with index rows computed at run time: each row of `nd` indices names the slice
 * sum(index[j] * counts[j]) (counts: slices per step of dimension j), summed in 64 bits; every row is
 * checked to land inside [0, count) before anything is copied, as TFLM checks the flat position.
 * 1 (nothing written) when one does not, else 0. */
static inline int tinycc_gather_nd_checked(const void *params, const int32_t *indices, void *output,
                                           int32_t rows, int32_t nd, const int32_t *counts, int32_t count,
                                           int32_t slice_size, int32_t elem) {
    const unsigned char *in = (const unsigned char *)params;
    unsigned char *out = (unsigned char *)output;
    const long row = (long)slice_size * elem;
    int32_t r, j;
    for (r = 0; r < rows; ++r) {
        int64_t s = 0;
        for (j = 0; j < nd; ++j) s += (int64_t)indices[(long)r * nd + j] * counts[j];
        if (s < 0 || s >= count) return 1;
    }
    for (r = 0; r < rows; ++r) {
        int64_t s = 0;
        for (j = 0; j < nd; ++j) s += (int64_t)indices[(long)r * nd + j] * counts[j];
        tinycc_copy_bytes((int8_t *)(out + (long)r * row), (const int8_t *)(in + (long)s * row), row);
    }
    return 0;
}

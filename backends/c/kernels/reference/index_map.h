/* Copy through per-axis index maps (MIRROR_PAD): output element (i0, ..., ik) is the input
 * element at map_0[i0] + ... + map_k[ik], each map already scaled by its axis' input stride;
 * the maps lie back to back in `maps`, dims[k] entries each. Sizes in elements. */
static inline void tinycc_copy_index_map(const void *input, void *output, int32_t elem, int32_t rank,
                                         const int32_t *dims, const int32_t *maps) {
    const unsigned char *in = (const unsigned char *)input;
    unsigned char *out = (unsigned char *)output;
    int32_t idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long n = 1, i;
    int32_t k;
    for (k = 0; k < rank; ++k) n *= dims[k];
    for (i = 0; i < n; ++i) {
        const int32_t *m = maps;
        long src = 0;
        for (k = 0; k < rank; ++k) {
            src += m[idx[k]];
            m += dims[k];
        }
        memcpy(out + i * elem, in + src * elem, (size_t)elem);
        for (k = rank - 1; k >= 0; --k) {
            if (++idx[k] < dims[k]) break;
            idx[k] = 0;
        }
    }
}

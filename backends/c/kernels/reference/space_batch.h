/* SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on (N, H, W, C) tensors (a 3-D tensor has W = 1), rows of
 * C elements of `elem` bytes moved whole. Output batch / input batch (sh * bw + sw) * n + b holds
 * the block offset (sh, sw) of image b. SPACE_TO_BATCH_ND fills padding with the byte `fill` (the
 * int8 zero point; 0 for float32). */
static inline void tinycc_space_to_batch(const void *input, void *output, int32_t elem, int32_t n, int32_t h,
                                         int32_t w, int32_t c, int32_t bh, int32_t bw, int32_t pad_top,
                                         int32_t pad_left, int32_t oh, int32_t ow, int32_t fill) {
    const unsigned char *in = (const unsigned char *)input;
    unsigned char *out = (unsigned char *)output;
    const long row = (long)c * elem;
    int32_t ob, y, x;
    for (ob = 0; ob < n * bh * bw; ++ob) {
        const int32_t b = ob % n, sh = (ob / n) / bw, sw = (ob / n) % bw;
        for (y = 0; y < oh; ++y) {
            const int32_t iy = y * bh + sh - pad_top;
            for (x = 0; x < ow; ++x, out += row) {
                const int32_t ix = x * bw + sw - pad_left;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                    memset(out, fill, (size_t)row);
                else
                    tinycc_copy_bytes((int8_t *)out, (const int8_t *)(in + (((long)b * h + iy) * w + ix) * row), row);
            }
        }
    }
}

static inline void tinycc_batch_to_space(const void *input, void *output, int32_t elem, int32_t n, int32_t h,
                                         int32_t w, int32_t c, int32_t bh, int32_t bw, int32_t crop_top,
                                         int32_t crop_left, int32_t oh, int32_t ow) {
    const unsigned char *in = (const unsigned char *)input;
    unsigned char *out = (unsigned char *)output;
    const long row = (long)c * elem;
    int32_t b, y, x;
    for (b = 0; b < n; ++b)
        for (y = 0; y < oh; ++y) {
            const int32_t fy = y + crop_top, iy = fy / bh, sh = fy % bh;
            for (x = 0; x < ow; ++x, out += row) {
                const int32_t fx = x + crop_left, ix = fx / bw, sw = fx % bw;
                const long ib = ((long)sh * bw + sw) * n + b;
                tinycc_copy_bytes((int8_t *)out, (const int8_t *)(in + ((ib * h + iy) * w + ix) * row), row);
            }
        }
}

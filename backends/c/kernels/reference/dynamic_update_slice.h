/* DYNAMIC_UPDATE_SLICE (TF Lite Micro's kernel): the operand copied to the output, then the update
 * written at the start indices, each clamped at run time to [0, dim - update_dim] as TFLM does.
 * Shapes padded to 6 dimensions at the front (start 0 there); sizes in elements of `elem` bytes;
 * the indices are int32 (idx32) or int64 (idx64, idx32 NULL). */
typedef struct {
    int32_t dims[6], update_dims[6], pad, elem;   /* pad: leading dimensions the indices do not cover */
} tinycc_dus;

static inline void tinycc_dynamic_update_slice(const tinycc_dus *s, const void *operand, const void *update,
                                               const int32_t *idx32, const int64_t *idx64, void *output) {
    const int8_t *in = (const int8_t *)operand, *up = (const int8_t *)update;
    int8_t *out = (int8_t *)output;
    long total = 1, utotal = 1, stride[6], start[6], row;
    int32_t c[5] = {0, 0, 0, 0, 0};
    int k;
    for (k = 0; k < 6; ++k) {
        total *= s->dims[k];
        utotal *= s->update_dims[k];
    }
    if (total == utotal) {               /* TFLM: an update as large as the operand is copied whole */
        tinycc_copy_bytes(out, up, utotal * s->elem);
        return;
    }
    if (out != in) tinycc_copy_bytes(out, in, total * s->elem);
    if (utotal == 0) return;
    for (k = 5; k >= 0; --k) {
        int64_t v = 0, hi = (int64_t)s->dims[k] - s->update_dims[k];
        if (k >= s->pad) v = idx32 != NULL ? (int64_t)idx32[k - s->pad] : idx64[k - s->pad];
        start[k] = (long)(v < 0 ? 0 : (v > hi ? hi : v));
        stride[k] = k == 5 ? (long)s->elem : stride[k + 1] * s->dims[k + 1];
    }
    row = (long)s->update_dims[5] * s->elem;
    for (;;) {
        long dst = start[5] * stride[5];
        for (k = 0; k < 5; ++k) dst += (start[k] + c[k]) * stride[k];
        tinycc_copy_bytes(out + dst, up, row);
        up += row;
        for (k = 4; k >= 0; --k) {
            if (++c[k] < s->update_dims[k]) break;
            c[k] = 0;
        }
        if (k < 0) return;
    }
}

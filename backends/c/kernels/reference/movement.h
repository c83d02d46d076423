/* Data movement (TRANSPOSE, STRIDED_SLICE, PAD, CONCATENATION): a strided copy of a box of up to
 * 6 dimensions, strides in elements (negative for reversed slices), and a constant fill. */
typedef struct {
    int32_t dims[6], src_strides[6], dst_strides[6];
    int32_t src_offset, dst_offset;
} tinycc_box;

static inline void tinycc_copy_box(const tinycc_box *b, const void *src, void *dst, int32_t elem) {
    const unsigned char *s = (const unsigned char *)src;
    unsigned char *d = (unsigned char *)dst;
    const int rows = b->src_strides[5] == 1 && b->dst_strides[5] == 1;
    int32_t i[6];
    for (i[0] = 0; i[0] < b->dims[0]; ++i[0])
    for (i[1] = 0; i[1] < b->dims[1]; ++i[1])
    for (i[2] = 0; i[2] < b->dims[2]; ++i[2])
    for (i[3] = 0; i[3] < b->dims[3]; ++i[3])
    for (i[4] = 0; i[4] < b->dims[4]; ++i[4]) {
        int32_t so = b->src_offset, dof = b->dst_offset, k;
        for (k = 0; k < 5; ++k) {
            so += i[k] * b->src_strides[k];
            dof += i[k] * b->dst_strides[k];
        }
        if (rows) {
            tinycc_copy_bytes((int8_t *)(d + (size_t)dof * elem), (const int8_t *)(s + (size_t)so * elem),
                              (long)b->dims[5] * elem);
        } else {
            for (i[5] = 0; i[5] < b->dims[5]; ++i[5])
                memcpy(d + (size_t)(dof + i[5] * b->dst_strides[5]) * elem,
                       s + (size_t)(so + i[5] * b->src_strides[5]) * elem, (size_t)elem);
        }
    }
}

#define TINYCC_FILL(SUFFIX, T)                                                 \
static inline void tinycc_fill_##SUFFIX(int32_t n, T *out, T value) {          \
    int32_t i;                                                                 \
    for (i = 0; i < n; ++i) out[i] = value;                                    \
}
TINYCC_FILL(s8, int8_t)
TINYCC_FILL(s16, int16_t)
TINYCC_FILL(s32, int32_t)
TINYCC_FILL(f32, float)

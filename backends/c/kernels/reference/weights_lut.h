/* LUT-compressed weights (TF Lite Micro's compression, core/lut.py): element i's index is `bits` (1..7)
   wide at bit i * bits of `idx`, most significant bit first, the indices of all channels packed
   continuously; its value is tables[ch * chstride + index] (chstride 0: one table for the tensor).
   The kernels decode each weight where they multiply it: the filter is never unpacked into RAM. */
static inline int32_t tinycc_lut(const uint8_t *idx, const int8_t *tables, int bits, long chstride, long ch,
                                 long i) {
    const unsigned long pos = (unsigned long)i * (unsigned long)bits;
    const unsigned long at = pos >> 3;
    const unsigned sh = (unsigned)(pos & 7u);
    uint32_t v = (uint32_t)idx[at] << 8;
    if (sh + (unsigned)bits > 8u) v |= (uint32_t)idx[at + 1];
    v = (v >> (16u - sh - (unsigned)bits)) & ((1u << bits) - 1u);
    return (int32_t)tables[ch * chstride + (long)v];
}

/* the sum over j < n of weight(i + j) * (x[j] - zp), the weights of one table decoded in order with a bit
   cursor (a byte read only when the next index needs it: never past the last index's byte), wrapping
   like TFLM's int32 sum */
static inline uint32_t tinycc_lut_dot(const uint8_t *idx, const int8_t *table, int bits, long i, int n,
                                      const int8_t *x, int32_t zp) {
    const unsigned long pos = (unsigned long)i * (unsigned long)bits;
    const uint8_t *p = idx + (pos >> 3);
    const uint32_t mask = (1u << bits) - 1u;
    uint32_t buf = 0, acc = 0;
    unsigned avail = 0;
    int j;
    if (n <= 0) return 0u;
    buf = *p++;
    avail = 8u - (unsigned)(pos & 7u);
    for (j = 0; j < n; ++j) {
        if (avail < (unsigned)bits) {
            buf = ((buf << 8) | *p++) & 0xFFFFu;
            avail += 8u;
        }
        avail -= (unsigned)bits;
        acc += (uint32_t)((int32_t)table[(buf >> avail) & mask] * ((int32_t)x[j] - zp));
    }
    return acc;
}

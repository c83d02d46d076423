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

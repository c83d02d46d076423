/* LUT-compressed weights (weights_lut.h's format) for the faster LUT kernels: one filter row decoded
   into a small int8 buffer (TINYCC_LUT_ROW_BYTES on the stack: one output channel's filter, never the
   whole tensor), which the int8 dot products of dot_s8.h then read. */
#ifndef TINYCC_LUT_ROW_BYTES
#define TINYCC_LUT_ROW_BYTES 1024   /* the decoded row's stack bytes (backends/c/ops/_lut.py: LUT_ROW_BYTES) */
#endif

/* out[j] = weight(i + j), j < n, the weights of one table decoded in order. 4- and 2-bit indices never
   straddle a byte: single ones up to a byte boundary, then two (four) a byte, then single ones; other
   widths with a bit cursor (a byte read only when the next index needs it: never past the last index's byte) */
static inline void tinycc_lut_decode(const uint8_t *idx, const int8_t *table, int bits, long i, int n,
                                     int8_t *out) {
    unsigned long pos = (unsigned long)i * (unsigned long)bits;
    const uint32_t mask = (1u << bits) - 1u;
    const uint8_t *p;
    uint32_t buf;
    unsigned avail;
    int j = 0;
    if (n <= 0) return;
    if (bits == 4 || bits == 2) {
        for (; j < n && (pos & 7u) != 0u; ++j, pos += (unsigned)bits)
            out[j] = table[(idx[pos >> 3] >> (8u - (unsigned)(pos & 7u) - (unsigned)bits)) & mask];
        p = idx + (pos >> 3);
        if (bits == 4) {
            for (; j + 2 <= n; j += 2, ++p) {
                out[j] = table[*p >> 4];
                out[j + 1] = table[*p & 15u];
            }
        } else {
            for (; j + 4 <= n; j += 4, ++p) {
                out[j] = table[*p >> 6];
                out[j + 1] = table[(*p >> 4) & 3u];
                out[j + 2] = table[(*p >> 2) & 3u];
                out[j + 3] = table[*p & 3u];
            }
        }
        for (pos = 0u; j < n; ++j, pos += (unsigned)bits)     /* the last byte's first indices */
            out[j] = table[(*p >> (8u - (unsigned)pos - (unsigned)bits)) & mask];
        return;
    }
    p = idx + (pos >> 3);
    buf = *p++;
    avail = 8u - (unsigned)(pos & 7u);
    for (; j < n; ++j) {
        if (avail < (unsigned)bits) {
            buf = ((buf << 8) | *p++) & 0xFFFFu;
            avail += 8u;
        }
        avail -= (unsigned)bits;
        out[j] = table[(buf >> avail) & mask];
    }
}

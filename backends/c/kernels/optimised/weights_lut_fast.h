/* LUT-compressed weights (weights_lut.h's format) for the faster LUT kernels: one filter row decoded
   into a small int8 buffer (TINYCC_LUT_ROW_BYTES on the stack: one output channel's filter, never the
   whole tensor), which the int8 dot products of dot_s8.h then read. */
#ifndef TINYCC_LUT_ROW_BYTES
#define TINYCC_LUT_ROW_BYTES 1024   /* the decoded row's stack bytes (backends/c/ops/_lut.py: LUT_ROW_BYTES) */
#endif

/* out[j] = weight(i + j), j < n, the weights of one table decoded in order with a bit cursor (a byte read
   only when the next index needs it: never past the last index's byte); 4-bit indices from an even
   element take two a byte */
static inline void tinycc_lut_decode(const uint8_t *idx, const int8_t *table, int bits, long i, int n,
                                     int8_t *out) {
    const unsigned long pos = (unsigned long)i * (unsigned long)bits;
    const uint8_t *p = idx + (pos >> 3);
    const uint32_t mask = (1u << bits) - 1u;
    uint32_t buf;
    unsigned avail;
    int j = 0;
    if (n <= 0) return;
    if (bits == 4 && (pos & 7u) == 0u) {
        for (; j + 2 <= n; j += 2, ++p) {
            out[j] = table[*p >> 4];
            out[j + 1] = table[*p & 15u];
        }
        if (j < n) out[j] = table[*p >> 4];
        return;
    }
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

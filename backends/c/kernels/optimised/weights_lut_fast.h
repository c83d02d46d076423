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
            for (; j + 8 <= n; j += 8, p += 4) {      /* a word of indices a pass (one LDR where unaligned loads are) */
                const uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
                out[j] = table[(v >> 4) & 15u];
                out[j + 1] = table[v & 15u];
                out[j + 2] = table[(v >> 12) & 15u];
                out[j + 3] = table[(v >> 8) & 15u];
                out[j + 4] = table[(v >> 20) & 15u];
                out[j + 5] = table[(v >> 16) & 15u];
                out[j + 6] = table[v >> 28];
                out[j + 7] = table[(v >> 24) & 15u];
            }
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

#if defined(__GNUC__)
#define TINYCC_LUTF_INLINE static inline __attribute__((always_inline))   /* in the pixel loops */
#else
#define TINYCC_LUTF_INLINE static inline
#endif

/* sum f[j] * (x[j] - zp), j < n, wrapping like TFLM's int32 sum; on a DSP core (dot_s8.h's TINYCC_DSP)
   four pairs a pass: x widened with SXTB16 and offset by zp in both halves (SSUB16: -255..255, exact),
   multiplied-accumulated with SMLAD against the decoded filter */
TINYCC_LUTF_INLINE uint32_t tinycc_lutf_dot(const int8_t *f, const int8_t *x, int n, int32_t zp) {
    uint32_t acc = 0u;
    int j = 0;
#ifdef TINYCC_DSP
    const int32_t zp2 = (int32_t)(((uint32_t)zp & 0xFFFFu) * 0x10001u);
    int32_t a = 0;
    for (; j + 4 <= n; j += 4) {
        uint32_t xv, fv;
        memcpy(&xv, x + j, 4);       /* one LDR each: the Cortex-M4 loads unaligned words */
        memcpy(&fv, f + j, 4);
        a = __smlad(__ssub16(__sxtb16((int32_t)xv), zp2), __sxtb16((int32_t)fv), a);
        a = __smlad(__ssub16(__sxtb16((int32_t)((xv >> 8) | (xv << 24))), zp2),
                    __sxtb16((int32_t)((fv >> 8) | (fv << 24))), a);
    }
    acc = (uint32_t)a;
#endif
    for (; j < n; ++j) acc += (uint32_t)((int32_t)f[j] * ((int32_t)x[j] - zp));
    return acc;
}

/* acc[0] += sum f0[j] * (x[j] - zp), acc[1] += sum f1[j] * (x[j] - zp), j < n: two filters against one
   input, each input word widened once */
TINYCC_LUTF_INLINE void tinycc_lutf_dot2(const int8_t *f0, const int8_t *f1, const int8_t *x, int n, int32_t zp,
                                         uint32_t *acc) {
    uint32_t a0 = 0u, a1 = 0u;
    int j = 0;
#ifdef TINYCC_DSP
    const int32_t zp2 = (int32_t)(((uint32_t)zp & 0xFFFFu) * 0x10001u);
    int32_t s0 = 0, s1 = 0;
    for (; j + 4 <= n; j += 4) {
        uint32_t xv, fa, fb;
        int32_t xe, xo;
        memcpy(&xv, x + j, 4);
        memcpy(&fa, f0 + j, 4);
        memcpy(&fb, f1 + j, 4);
        xe = __ssub16(__sxtb16((int32_t)xv), zp2);
        xo = __ssub16(__sxtb16((int32_t)((xv >> 8) | (xv << 24))), zp2);
        s0 = __smlad(xe, __sxtb16((int32_t)fa), s0);
        s0 = __smlad(xo, __sxtb16((int32_t)((fa >> 8) | (fa << 24))), s0);
        s1 = __smlad(xe, __sxtb16((int32_t)fb), s1);
        s1 = __smlad(xo, __sxtb16((int32_t)((fb >> 8) | (fb << 24))), s1);
    }
    a0 = (uint32_t)s0;
    a1 = (uint32_t)s1;
#endif
    for (; j < n; ++j) {
        const int32_t v = (int32_t)x[j] - zp;
        a0 += (uint32_t)((int32_t)f0[j] * v);
        a1 += (uint32_t)((int32_t)f1[j] * v);
    }
    acc[0] += a0;
    acc[1] += a1;
}

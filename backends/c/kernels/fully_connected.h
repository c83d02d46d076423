/* FULLY_CONNECTED kernels: rows x (units, depth) weights; multiplier per tensor or per unit. */
static inline void tinycc_fully_connected_s8(int rows, int units, int depth, const int8_t *in, const int8_t *w,
                                             const int32_t *bias, int8_t *out, int32_t in_zp, int32_t w_zp,
                                             int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                             int per_channel, int32_t act_min, int32_t act_max) {
    int r, u, d;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        const int q = per_channel ? u : 0;
        int32_t acc = 0;
        for (d = 0; d < depth; ++d)
            acc += ((int32_t)w[u * depth + d] - w_zp) * ((int32_t)in[r * depth + d] - in_zp);
        if (bias) acc += bias[u];
        acc = tinycc_mbqm(acc, mult[q], shift[q]) + out_zp;
        out[r * units + u] = (int8_t)tinycc_clamp(acc, act_min, act_max);
    }
}

static inline void tinycc_fully_connected_s16(int rows, int units, int depth, const int16_t *in, const int8_t *w,
                                              const int64_t *bias, int16_t *out, int32_t w_zp, int32_t out_zp,
                                              const int32_t *mult, const int32_t *shift, int per_channel,
                                              int32_t act_min, int32_t act_max) {
    int r, u, d;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        const int q = per_channel ? u : 0;
        int64_t acc = 0;
        int32_t v;
        for (d = 0; d < depth; ++d) acc += ((int64_t)w[u * depth + d] - w_zp) * in[r * depth + d];
        if (bias) acc += bias[u];
        v = tinycc_mbqm64(acc, mult[q], shift[q]) + out_zp;
        out[r * units + u] = (int16_t)tinycc_clamp(v, act_min, act_max);
    }
}

static inline void tinycc_fully_connected_f32(int rows, int units, int depth, const float *in, const float *w,
                                              const float *bias, float *out, float act_min, float act_max) {
    int r, u, d;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        float acc = 0.0f;
        for (d = 0; d < depth; ++d) acc += w[u * depth + d] * in[r * depth + d];
        if (bias) acc += bias[u];
        out[r * units + u] = tinycc_clampf(acc, act_min, act_max);
    }
}

/* Fast int8 fully connected on weights re-laid at compile time (ops/fully_connected.py; weights
 * zero point 0; needs dot_s8.h): units in blocks of four (the last block padded with zero rows),
 * each block's rows interleaved a word at a time, w4[(b * chunks + c) * 4 + j] holding
 * w[4b + j][4c .. 4c + 3] with byte k in bits 8k .. 8k + 7 (zeros past `depth`), chunks =
 * ceil(depth / 4). One pass over the input serves four units: each input word is loaded and
 * widened once, the four weight words follow each other (one LDM). `kbias` (padded to the
 * blocks) is bias - in_zp * sum(w) folded at compile time. */
static inline int32_t tinycc_fc_byte(int32_t word, int k) {
    return (int32_t)(((uint32_t)word >> (8 * k)) & 0xFFu) - (int32_t)((((uint32_t)word >> (8 * k)) & 0x80u) << 1);
}

#ifdef TINYCC_DSP
/* One 4-byte chunk of the input against the block's four weight words (fully_connected.h layout):
 * the input word loaded and widened once (SXTB16, SXTB16 ROR #8), the weights two words per LDRD,
 * each widened in place by the same pair, two SMLADs per unit: 21 instructions for 16 MACs. */
#define TINYCC_FC_CHUNK \
    "ldr    %[xo], [%[x]], #4\n\t" \
    "sxtb16 %[xe], %[xo]\n\t" \
    "sxtb16 %[xo], %[xo], ror #8\n\t" \
    "ldrd   %[w0], %[w1], [%[w]], #8\n\t" \
    "sxtb16 %[t], %[w0], ror #8\n\t" \
    "sxtb16 %[w0], %[w0]\n\t" \
    "smlad  %[a0], %[xe], %[w0], %[a0]\n\t" \
    "smlad  %[a0], %[xo], %[t], %[a0]\n\t" \
    "sxtb16 %[w0], %[w1], ror #8\n\t" \
    "sxtb16 %[w1], %[w1]\n\t" \
    "smlad  %[a1], %[xe], %[w1], %[a1]\n\t" \
    "smlad  %[a1], %[xo], %[w0], %[a1]\n\t" \
    "ldrd   %[w0], %[w1], [%[w]], #8\n\t" \
    "sxtb16 %[t], %[w0], ror #8\n\t" \
    "sxtb16 %[w0], %[w0]\n\t" \
    "smlad  %[a2], %[xe], %[w0], %[a2]\n\t" \
    "smlad  %[a2], %[xo], %[t], %[a2]\n\t" \
    "sxtb16 %[w0], %[w1], ror #8\n\t" \
    "sxtb16 %[w1], %[w1]\n\t" \
    "smlad  %[a3], %[xe], %[w1], %[a3]\n\t" \
    "smlad  %[a3], %[xo], %[w0], %[a3]\n\t"
#define TINYCC_FC_OPERANDS \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w), \
      [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)
#endif

static inline void tinycc_fc_dot4(const int32_t *w, const int8_t *x, int depth, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#ifdef TINYCC_DSP
    int32_t xe, xo, w0, w1, t;
    const int8_t *const x16 = x + (depth & ~15), *const x4 = x + (depth & ~3);
    if (x != x16)        /* sixteen bytes a turn */
        __asm__("1:\n\t" TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK TINYCC_FC_CHUNK
                "cmp    %[x], %[end]\n\t"
                "bne    1b\n\t"
                TINYCC_FC_OPERANDS : [end] "r"(x16) : "cc", "memory");
    while (x != x4) __asm__(TINYCC_FC_CHUNK TINYCC_FC_OPERANDS : : "memory");
    if (depth & 3) {      /* the last bytes, never read past the input */
        uint32_t v = 0;
        int i;
        for (i = 0; i < (depth & 3); ++i) v |= (uint32_t)(uint8_t)x[i] << (8 * i);
        xe = __sxtb16((int32_t)v), xo = __sxtb16(tinycc_ror8((int32_t)v));
        a0 = __smlad(xo, __sxtb16(tinycc_ror8(w[0])), __smlad(xe, __sxtb16(w[0]), a0));
        a1 = __smlad(xo, __sxtb16(tinycc_ror8(w[1])), __smlad(xe, __sxtb16(w[1]), a1));
        a2 = __smlad(xo, __sxtb16(tinycc_ror8(w[2])), __smlad(xe, __sxtb16(w[2]), a2));
        a3 = __smlad(xo, __sxtb16(tinycc_ror8(w[3])), __smlad(xe, __sxtb16(w[3]), a3));
    }
#else
    int d, k;
    for (d = 0; d < depth; d += 4, w += 4)
        for (k = 0; k < 4 && d + k < depth; ++k) {
            const int32_t xv = x[d + k];
            a0 += tinycc_fc_byte(w[0], k) * xv;
            a1 += tinycc_fc_byte(w[1], k) * xv;
            a2 += tinycc_fc_byte(w[2], k) * xv;
            a3 += tinycc_fc_byte(w[3], k) * xv;
        }
#endif
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

static inline void tinycc_fully_connected_s8_w4(int rows, int units, int depth, const int8_t *in,
                                                const int32_t *w4, const int32_t *kbias, int8_t *out,
                                                int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                                int per_channel, int32_t act_min, int32_t act_max) {
    const int block = 4 * ((depth + 3) >> 2);
    int r, u, j;
    for (r = 0; r < rows; ++r, in += depth, out += units) {
        const int32_t *w = w4;
        for (u = 0; u < units; u += 4, w += block) {
            int32_t acc[4];
            const int n = units - u < 4 ? units - u : 4;
            acc[0] = kbias[u], acc[1] = kbias[u + 1], acc[2] = kbias[u + 2], acc[3] = kbias[u + 3];
            tinycc_fc_dot4(w, in, depth, acc);
            for (j = 0; j < n; ++j) {
                const int q = per_channel ? u + j : 0;
                out[u + j] = tinycc_requant_s8(acc[j], mult[q], shift[q], out_zp, act_min, act_max);
            }
        }
    }
}

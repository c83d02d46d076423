/* Fast int8 depthwise convolution with a depth multiplier > 1 (3x3 filter, dilation 1, any stride and
 * padding, any input channels; after depthwise_conv_2d.h's fast taps and dot_s8.h). Output channel
 * oc = ic * mult + m reads input channel ic. Per output pixel and input channel the 3x3 window is
 * gathered once as five words of int16 pairs (taps 2k and 2k+1; the tenth half zero): inside the
 * input without bounds checks, at the borders with the input zero point in the padded taps, which the
 * folded bias kb[oc] = bias[oc] - in_zp * sum(filter[.., oc]) cancels (the emitter checks every sum
 * fits int32). Then each of the multiplier's output channels is a dot product of those words with
 * its filter pre-packed the same way: five SMLAD on a DSP core, plain C elsewhere (the same sums), and
 * the requantisation of depthwise_conv_2d_fast_taps.h: rq 1 (tinycc_dw_rq), 2 (tinycc_dw_rq2) or 0
 * (tinycc_requant_s8), or rq 3, mode z0 (tpair's: out_zp -128, every shift -r with 1 <= r <= 16, the
 * doubled sums within int32): filter and bias doubled, TFLM's requantisation of acc >= 0 is
 * SMMLAR(2 acc, M, Ra) >> r with Ra = 2^(r-1) - 128 * 2^r (floors of floors), and of acc < 0 at most
 * -128 as TFLM's (M >= 0): four instructions an output for seven. A channel's constants are one record
 * of TINYCC_DW_MULT_REC words (`rec`, the emitter's mult_records): its five filter words (taps 2k in
 * the low half as int16, 2k + 1 in the high, the tenth half zero), its folded bias, its multiplier and
 * its word: rq 1, 2 tinycc_dw_rq's, z0 Ra * 256 + r, rq 0 the shift; one pointer walks them. On a DSP
 * core assembly loops take z0 with an even multiplier (two channels a pass) and rq 1 (about 25 and 30
 * est. cycles an output); the others, and every loop elsewhere, are C. TINYCC_DW_MULT_MODES (the
 * emitter: bit rq + 4 clip of each node's mode and clipping) compiles in only the loops a model's
 * nodes take. */
#ifndef TINYCC_DW_MULT_MODES
#define TINYCC_DW_MULT_MODES 255
#endif

/* the int16 pair (a low, b high) in one word */
static inline uint32_t tinycc_dw_mult_pk(int32_t a, int32_t b) {
#ifdef TINYCC_DSP
    return tinycc_pk_lo((uint32_t)a, (uint32_t)b);   /* PKHBT: one instruction */
#else
    return ((uint32_t)a & 0xffffu) | ((uint32_t)b << 16);
#endif
}

#define TINYCC_DW_MULT_REC 8

/* record r's folded bias plus the sum over the five pairs of the window's and its filter's halves
 * (int32: the emitter checked the sums) */
static inline int32_t tinycc_dw_mult_dot(const int32_t *r, uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3,
                                         uint32_t x4) {
#ifdef TINYCC_DSP
    int32_t acc = __smlad(x0, (uint32_t)r[0], r[5]);
    acc = __smlad(x1, (uint32_t)r[1], acc);
    acc = __smlad(x2, (uint32_t)r[2], acc);
    acc = __smlad(x3, (uint32_t)r[3], acc);
    return __smlad(x4, (uint32_t)r[4], acc);
#else
    const uint32_t x[5] = {x0, x1, x2, x3, x4};
    int32_t acc = r[5];
    int k;
    for (k = 0; k < 5; ++k) {
        const int32_t xl = (int32_t)(int16_t)(x[k] & 0xffffu), xh = (int32_t)(int16_t)(x[k] >> 16);
        const int32_t wl = (int32_t)(int16_t)((uint32_t)r[k] & 0xffffu);
        const int32_t wh = (int32_t)(int16_t)((uint32_t)r[k] >> 16);
        acc += xl * wl + xh * wh;
    }
    return acc;
#endif
}

/* the window of input channel ic at (iy0, ix0) (its top-left tap) as five pair words */
static inline void tinycc_dw_mult_window(const tinycc_dw_shape *s, const int8_t *img, int iy0, int ix0, int ic,
                                         int32_t in_zp, uint32_t *x) {
    int32_t t[10];
    const int ci = s->ci;
    if (iy0 >= 0 && iy0 + 3 <= s->h && ix0 >= 0 && ix0 + 3 <= s->w) {
        const long rs = (long)s->w * ci;
        const int8_t *p = img + ((long)iy0 * s->w + ix0) * ci + ic;
        t[0] = p[0]; t[1] = p[ci]; t[2] = p[2 * ci];
        t[3] = p[rs]; t[4] = p[rs + ci]; t[5] = p[rs + 2 * ci];
        t[6] = p[2 * rs]; t[7] = p[2 * rs + ci]; t[8] = p[2 * rs + 2 * ci];
    } else {
        int ky, kx;
        for (ky = 0; ky < 3; ++ky)
        for (kx = 0; kx < 3; ++kx) {
            const int iy = iy0 + ky, ix = ix0 + kx;
            t[ky * 3 + kx] = iy < 0 || iy >= s->h || ix < 0 || ix >= s->w ? in_zp
                                                                          : img[((long)iy * s->w + ix) * ci + ic];
        }
    }
    t[9] = 0;
    x[0] = tinycc_dw_mult_pk(t[0], t[1]);
    x[1] = tinycc_dw_mult_pk(t[2], t[3]);
    x[2] = tinycc_dw_mult_pk(t[4], t[5]);
    x[3] = tinycc_dw_mult_pk(t[6], t[7]);
    x[4] = tinycc_dw_mult_pk(t[8], t[9]);
}

/* output value of accumulator acc with record r's requantisation RQ (before the clamp to the activation) */
static inline int32_t tinycc_dw_mult_rq(const int32_t *r, int32_t acc, int32_t out_zp, int32_t act_min, int32_t act_max,
                                        const int RQ) {
    if (RQ == 3) {   /* z0: acc doubled; SMMLAR(2 acc, M, Ra) >> r with Ra, r in the word Ra * 256 + r */
        int64_t v;
        if (acc < 0) return -128;   /* at most -128 (M >= 0): no 64-bit product (ARMv6-M calls __aeabi_lmul) */
        v = (int64_t)acc * r[6] + 0x80000000LL + (int64_t)(r[7] >> 8) * 4294967296LL;
        return (int32_t)(v >> 32) >> (r[7] & 255);
    }
    if (RQ == 1) return tinycc_dw_rq(acc, r[6], r[7], 0x40000000);
    if (RQ == 2) return tinycc_dw_rq2(acc, r[6], r[7], 0x40000000, out_zp);
    return tinycc_requant_s8(acc, r[6], r[7], out_zp, act_min, act_max);
}

#ifdef TINYCC_DSP
/* mode z0, one channel: record R's dot product (its doubled bias first) and requantisation */
#define TINYCC_DW_MULT_Z0(R) \
    "ldr %[w0], [%[r], #" #R "]\n\t" \
    "ldr %[w1], [%[r], #" #R " + 4]\n\t" \
    "ldr %[w2], [%[r], #" #R " + 8]\n\t" \
    "ldr %[acc], [%[r], #" #R " + 20]\n\t" \
    "smlad %[acc], %[x0], %[w0], %[acc]\n\t" \
    "smlad %[acc], %[x1], %[w1], %[acc]\n\t" \
    "smlad %[acc], %[x2], %[w2], %[acc]\n\t" \
    "ldr %[w0], [%[r], #" #R " + 12]\n\t" \
    "ldr %[w1], [%[r], #" #R " + 16]\n\t" \
    "ldr %[w2], [%[r], #" #R " + 28]\n\t" \
    "smlad %[acc], %[x3], %[w0], %[acc]\n\t" \
    "ldr %[w0], [%[r], #" #R " + 24]\n\t" \
    "smlad %[acc], %[x4], %[w1], %[acc]\n\t" \
    "asr %[w1], %[w2], #8\n\t" \
    "smmlar %[acc], %[acc], %[w0], %[w1]\n\t" \
    "asr %[acc], %[acc], %[w2]\n\t" \
    "ssat %[acc], #8, %[acc]\n\t"
#endif

/* every output of the node with requantisation RQ and clipping CLIP (constants once inlined) */
static inline void tinycc_dw_mult_run(const tinycc_dw_shape *s, const int8_t *in, const int32_t *rec, int8_t *out,
                                      int32_t in_zp, int32_t out_zp, int32_t act_min, int32_t act_max,
                                      const int RQ, const int CLIP) {
    const int dm = s->mult;
    int b, oy, ox, ic;
    for (b = 0; b < s->n; ++b) {
        const int8_t *img = in + (long)b * s->h * s->w * s->ci;
        for (oy = 0; oy < s->oh; ++oy)
        for (ox = 0; ox < s->ow; ++ox) {
            int8_t *q = out + (((long)b * s->oh + oy) * s->ow + ox) * s->co;
            const int32_t *r = rec;
            for (ic = 0; ic < s->ci; ++ic) {
                uint32_t x[5];
                int8_t *const q0 = q;
                const int32_t *const end = r + TINYCC_DW_MULT_REC * dm;
                (void)q0;
                (void)CLIP;
                tinycc_dw_mult_window(s, img, oy * s->sh - s->pad_t, ox * s->sw - s->pad_l, ic, in_zp, x);
#ifdef TINYCC_DSP
                if (RQ == 3 && !(dm & 1)) {   /* two channels a pass */
                    int32_t acc, w0, w1, w2;
                    __asm__ volatile(
                        "1:\n\t"
                        TINYCC_DW_MULT_Z0(0)
                        "strb %[acc], [%[q]], #2\n\t"
                        TINYCC_DW_MULT_Z0(32)
                        "strb %[acc], [%[q], #-1]\n\t"
                        "adds %[r], %[r], #64\n\t"
                        "cmp %[r], %[end]\n\t"
                        "bne 1b"
                        : [r] "+r"(r), [q] "+r"(q), [acc] "=&r"(acc), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2)
                        : [x0] "r"(x[0]), [x1] "r"(x[1]), [x2] "r"(x[2]), [x3] "r"(x[3]), [x4] "r"(x[4]),
                          [end] "r"(end)
                        : "cc", "memory");
                } else if (RQ == 1) {   /* a channel a pass: its record's filter pairs, bias and rq 1 word */
                    int32_t acc, w0, w1, t, hi;
                    __asm__ volatile(
                        "1:\n\t"
                        "ldr %[w0], [%[r]], #32\n\t"
                        "ldr %[acc], [%[r], #-12]\n\t"
                        "ldr %[w1], [%[r], #-28]\n\t"
                        "smlad %[acc], %[x0], %[w0], %[acc]\n\t"
                        "smlad %[acc], %[x1], %[w1], %[acc]\n\t"
                        "ldr %[w0], [%[r], #-24]\n\t"
                        "ldr %[w1], [%[r], #-20]\n\t"
                        "smlad %[acc], %[x2], %[w0], %[acc]\n\t"
                        "smlad %[acc], %[x3], %[w1], %[acc]\n\t"
                        "ldr %[w0], [%[r], #-16]\n\t"
                        "ldr %[w1], [%[r], #-4]\n\t"
                        "smlad %[acc], %[x4], %[w0], %[acc]\n\t"
                        "ldr %[w0], [%[r], #-8]\n\t"
                        "asr %[t], %[acc], #31\n\t"
                        "add %[hi], %[t], %[w1], asr #8\n\t"
                        "lsl %[t], %[t], #31\n\t"
                        "orr %[t], %[t], #0x40000000\n\t"
                        "smlal %[t], %[hi], %[acc], %[w0]\n\t"
                        "asr %[hi], %[hi], %[w1]\n\t"
                        "ssat %[hi], #8, %[hi]\n\t"
                        "strb %[hi], [%[q]], #1\n\t"
                        "cmp %[r], %[end]\n\t"
                        "bne 1b"
                        : [r] "+r"(r), [q] "+r"(q), [acc] "=&r"(acc), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t),
                          [hi] "=&r"(hi)
                        : [x0] "r"(x[0]), [x1] "r"(x[1]), [x2] "r"(x[2]), [x3] "r"(x[3]), [x4] "r"(x[4]),
                          [end] "r"(end)
                        : "cc", "memory");
                } else
#endif
                {
                    const uint32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4];
                    do {
                        const int32_t v = tinycc_dw_mult_rq(r, tinycc_dw_mult_dot(r, x0, x1, x2, x3, x4), out_zp,
                                                            act_min, act_max, RQ);
                        *q++ = (int8_t)tinycc_clamp(v, act_min, act_max);
                        r += TINYCC_DW_MULT_REC;
                    } while (r != end);
                    continue;
                }
#ifdef TINYCC_DSP
                if (CLIP) {   /* the assembly loops saturate to int8: the activation's bounds after */
                    int8_t *c;
                    for (c = q0; c != q; ++c) *c = (int8_t)tinycc_clamp(*c, act_min, act_max);
                }
#endif
            }
        }
    }
}

static inline void tinycc_depthwise_conv_2d_s8_mult(const tinycc_dw_shape *s, const int8_t *in, const int32_t *rec,
                                                    int8_t *out, int32_t in_zp, int32_t out_zp, int rq,
                                                    int32_t act_min, int32_t act_max) {
    const int clip = act_min > -128 || act_max < 127;
#define TINYCC_DW_MULT_GO(RQ, CLIP) \
    if (((TINYCC_DW_MULT_MODES >> ((RQ) + 4 * (CLIP))) & 1) && rq == (RQ) && clip == (CLIP)) { \
        tinycc_dw_mult_run(s, in, rec, out, in_zp, out_zp, act_min, act_max, RQ, CLIP); \
        return; \
    }
    TINYCC_DW_MULT_GO(3, 0)
    TINYCC_DW_MULT_GO(3, 1)
    TINYCC_DW_MULT_GO(1, 0)
    TINYCC_DW_MULT_GO(1, 1)
    TINYCC_DW_MULT_GO(2, 0)
    TINYCC_DW_MULT_GO(2, 1)
    TINYCC_DW_MULT_GO(0, 0)
    TINYCC_DW_MULT_GO(0, 1)
#undef TINYCC_DW_MULT_GO
}

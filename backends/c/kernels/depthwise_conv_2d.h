/* DEPTHWISE_CONV_2D kernels: output channel oc = ic * depth_multiplier + m reads input channel ic. */
typedef struct {
    int n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pad_t, pad_l, mult, rq;
} tinycc_dw_shape;

/* output row oy of image b (ow * co bytes at `row`), TFLM's reference loops */
static inline void tinycc_depthwise_conv_2d_s8_row(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                                   const int32_t *bias, int8_t *row, int b, int oy, int32_t in_zp,
                                                   int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                                   int32_t act_min, int32_t act_max) {
    int ox, oc, ky, kx;
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        int32_t acc = bias ? bias[oc] : 0;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += (int32_t)filter[(ky * s->kw + kx) * s->co + oc] *
                       ((int32_t)in[((b * s->h + iy) * s->w + ix) * s->ci + ic] - in_zp);
            }
        }
        acc = tinycc_mbqm(acc, mult[oc], shift[oc]) + out_zp;
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(acc, act_min, act_max);
    }
}

static inline void tinycc_depthwise_conv_2d_s8(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                               const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                               const int32_t *mult, const int32_t *shift,
                                               int32_t act_min, int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_s8_row(s, in, filter, bias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy,
                                        in_zp, out_zp, mult, shift, act_min, act_max);
}

static inline void tinycc_depthwise_conv_2d_s16(const tinycc_dw_shape *s, const int16_t *in, const int8_t *filter,
                                                const int64_t *bias, int16_t *out, int32_t out_zp,
                                                const int32_t *mult, const int32_t *shift,
                                                int32_t act_min, int32_t act_max) {
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        int64_t acc = 0;
        int32_t r;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += (int64_t)filter[(ky * s->kw + kx) * s->co + oc] * in[((b * s->h + iy) * s->w + ix) * s->ci + ic];
            }
        }
        if (bias) acc += bias[oc];
        r = tinycc_mbqm64(acc, mult[oc], shift[oc]) + out_zp;
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] = (int16_t)tinycc_clamp(r, act_min, act_max);
    }
}

static inline void tinycc_depthwise_conv_2d_f32(const tinycc_dw_shape *s, const float *in, const float *filter,
                                                const float *bias, float *out, float act_min, float act_max) {
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        const int ic = oc / s->mult;
        float acc = 0.0f;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                if (ix < 0 || ix >= s->w) continue;
                acc += filter[(ky * s->kw + kx) * s->co + oc] * in[((b * s->h + iy) * s->w + ix) * s->ci + ic];
            }
        }
        if (bias) acc += bias[oc];
        out[((b * s->oh + oy) * s->ow + ox) * s->co + oc] = tinycc_clampf(acc, act_min, act_max);
    }
}

/* Fast int8 depthwise convolution (depth multiplier 1, dilation 1; needs dot_s8.h). `kbias[c]` is
 * bias[c] - in_zp * sum(filter[.., c]) folded at compile time: a pixel whose taps all lie inside
 * the input accumulates four channels at a time over its taps without bounds checks (3x3 unrolled);
 * pixels touching the padding accumulate bias + sum f * (x - in_zp) over their inside taps, as TFLM.
 * On a DSP core one word load gives a tap's four channels: SXTB16 splits it into channels (0, 2)
 * and (1, 3), SMLABB / SMLATT multiply-accumulate each channel with its filter halfword.
 *
 * Requantisation: when s->rq is set (the emitter checks every channel: shift = -r with 2 <= r <= 17,
 * multiplier M >= 0, and the high word below fits 24 bits), the `shift` argument points at
 * kbias + co (the emitter appends rqw to the folded bias: one pointer for both in the interior loop):
 * rqw[c] = hi0 * 256 + (r - 1) with hi0 = 2^(r-2) * (2 * out_zp + 1), and TFLM's
 * MultiplyByQuantizedMultiplier(acc, M, -r) + out_zp is one 64-bit multiply-accumulate:
 *   floor((acc * M + 2^30 + 2^(30+r) + out_zp * 2^(31+r) - 2^31 * [acc < 0]) / 2^(31+r))
 * (SRDHM's floor((acc * M + 2^30) / 2^31) and RoundingDivideByPOT's round-half-away of it by 2^r
 * merge: floors of floors, an integer added before the floor; the "negative" test of the rounding
 * is acc < 0 whenever it matters). Start: high word hi0 + (acc < 0 ? -1 : 0), low word
 * 2^30 | (acc & 2^31); SMLAL; the result is the high word shifted right by r - 1 (an ARM register
 * shift reads the low byte of rqw). Else tinycc_requant_s8. */
#ifdef TINYCC_DSP
/* SXTB16 of the word rotated by 8 (bytes 1 and 3): one instruction */
static inline int32_t tinycc_dw_sxtb16_odd(int32_t v) {
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
/* the requantised acc + out_zp saturated to int8; k40 = 2^30 */
static inline int32_t tinycc_dw_rq(int32_t acc, int32_t mult, int32_t rqw, int32_t k40) {
    int32_t t, lo, hi;
    __asm__("asr %[t], %[acc], #31\n\t"
            "orr %[lo], %[k], %[t], lsl #31\n\t"
            "add %[hi], %[t], %[w], asr #8\n\t"
            "smlal %[lo], %[hi], %[acc], %[m]\n\t"
            "asr %[hi], %[hi], %[w]\n\t"
            "ssat %[hi], #8, %[hi]"
            : [t] "=&r"(t), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [acc] "r"(acc), [m] "r"(mult), [w] "r"(rqw), [k] "r"(k40));
    return hi;
}
/* bytes v0..v3 (low bytes) in one word */
static inline uint32_t tinycc_dw_pack4(int32_t v0, int32_t v1, int32_t v2, int32_t v3) {
    uint32_t w = (uint32_t)v0;
    __asm__("bfi %0, %1, #8, #8\n\tbfi %0, %2, #16, #8\n\tbfi %0, %3, #24, #8" : "+r"(w) : "r"(v1), "r"(v2), "r"(v3));
    return w;
}
#else
static inline int32_t tinycc_dw_rq(int32_t acc, int32_t mult, int32_t rqw, int32_t k40) {
    const int64_t hi0 = rqw >> 8;   /* arithmetic: rqw = hi0 * 256 + (r - 1) */
    const int64_t a = hi0 * 4294967296LL + k40 - (acc < 0 ? ((int64_t)1 << 31) : 0) + (int64_t)acc * mult;
    return tinycc_clamp((int32_t)(a / 4294967296LL - (a % 4294967296LL < 0)) >> (rqw & 255), -128, 127);
}
#endif

/* four accumulators of channels c..c+3 requantised (mult, shift and rqw at channel c; rqw is the
 * shift array when rq is set), clamped and stored at out[0..3] */
static inline void tinycc_dw_store4(int rq, int8_t *out, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                    const int32_t *rqw, int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                    int32_t act_min, int32_t act_max) {
    if (rq) {
        const int32_t k40 = 0x40000000;
        const int32_t v0 = tinycc_dw_rq(a0, mult[0], rqw[0], k40), v1 = tinycc_dw_rq(a1, mult[1], rqw[1], k40);
        const int32_t v2 = tinycc_dw_rq(a2, mult[2], rqw[2], k40), v3 = tinycc_dw_rq(a3, mult[3], rqw[3], k40);
#ifdef TINYCC_DSP
        const uint32_t lo4 = ((uint32_t)act_min & 0xffu) * 0x01010101u, hi4 = ((uint32_t)act_max & 0xffu) * 0x01010101u;
        uint32_t w = tinycc_dw_pack4(v0, v1, v2, v3);
        (void)__ssub8(w, lo4);   /* GE per byte: w >= act_min */
        w = __sel(w, lo4);
        (void)__ssub8(w, hi4);   /* GE per byte: w >= act_max */
        w = __sel(hi4, w);
        memcpy(out, &w, 4);
#else
        out[0] = (int8_t)tinycc_clamp(v0, act_min, act_max);
        out[1] = (int8_t)tinycc_clamp(v1, act_min, act_max);
        out[2] = (int8_t)tinycc_clamp(v2, act_min, act_max);
        out[3] = (int8_t)tinycc_clamp(v3, act_min, act_max);
#endif
    } else {
        out[0] = tinycc_requant_s8(a0, mult[0], shift[0], out_zp, act_min, act_max);
        out[1] = tinycc_requant_s8(a1, mult[1], shift[1], out_zp, act_min, act_max);
        out[2] = tinycc_requant_s8(a2, mult[2], shift[2], out_zp, act_min, act_max);
        out[3] = tinycc_requant_s8(a3, mult[3], shift[3], out_zp, act_min, act_max);
    }
}

static inline int8_t tinycc_dw_store1(const tinycc_dw_shape *s, int c, int32_t acc, int32_t out_zp, const int32_t *mult, const int32_t *shift, int32_t act_min,
                                      int32_t act_max) {
    if (s->rq) return (int8_t)tinycc_clamp(tinycc_dw_rq(acc, mult[c], shift[c], 0x40000000), act_min, act_max);
    return tinycc_requant_s8(acc, mult[c], shift[c], out_zp, act_min, act_max);
}

/* one tap of four channels: input word X, filter word F (bytes of channels c..c+3) */
#ifdef TINYCC_DSP
#define TINYCC_DW_MAC4(X, F) do { \
        const int32_t x_ = (X), f_ = (F); \
        const int32_t xe_ = __sxtb16(x_), xo_ = tinycc_dw_sxtb16_odd(x_); \
        const int32_t fe_ = __sxtb16(f_), fo_ = tinycc_dw_sxtb16_odd(f_); \
        a0 = __smlabb(xe_, fe_, a0); a2 = __smlatt(xe_, fe_, a2); \
        a1 = __smlabb(xo_, fo_, a1); a3 = __smlatt(xo_, fo_, a3); \
    } while (0)
#define TINYCC_DW_TAP(XP, FP) TINYCC_DW_MAC4(tinycc_ld4(XP), tinycc_ld4(FP))
#else
#define TINYCC_DW_TAP(XP, FP) do { \
        const int8_t *xp_ = (XP), *fp_ = (FP); \
        a0 += (int32_t)fp_[0] * xp_[0]; a1 += (int32_t)fp_[1] * xp_[1]; \
        a2 += (int32_t)fp_[2] * xp_[2]; a3 += (int32_t)fp_[3] * xp_[3]; \
    } while (0)
#endif

/* one tap of four channels, input minus the zero point (border pixels, plain bias) */
#ifdef TINYCC_DSP
#define TINYCC_DW_ZTAP(XP, FP) do { \
        const int32_t xw_ = tinycc_ld4(XP), fw_ = tinycc_ld4(FP); \
        const int32_t xe_ = __ssub16(__sxtb16(xw_), zp2), xo_ = __ssub16(tinycc_dw_sxtb16_odd(xw_), zp2); \
        const int32_t fe_ = __sxtb16(fw_), fo_ = tinycc_dw_sxtb16_odd(fw_); \
        a0 = __smlabb(xe_, fe_, a0); a2 = __smlatt(xe_, fe_, a2); \
        a1 = __smlabb(xo_, fo_, a1); a3 = __smlatt(xo_, fo_, a3); \
    } while (0)
#else
#define TINYCC_DW_ZTAP(XP, FP) do { \
        const int8_t *xp_ = (XP), *fp_ = (FP); \
        a0 += (int32_t)fp_[0] * ((int32_t)xp_[0] - in_zp); a1 += (int32_t)fp_[1] * ((int32_t)xp_[1] - in_zp); \
        a2 += (int32_t)fp_[2] * ((int32_t)xp_[2] - in_zp); a3 += (int32_t)fp_[3] * ((int32_t)xp_[3] - in_zp); \
    } while (0)
#endif

static inline void tinycc_dw_s8_border(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                       const int32_t *bias, int8_t *out, int b, int oy, int ox,
                                       int32_t in_zp, int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                       int32_t act_min, int32_t act_max) {
    const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l;
    const int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = iy0 + s->kh > s->h ? s->h - iy0 : s->kh;
    const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + s->kw > s->w ? s->w - ix0 : s->kw;
    const int co = s->co, co4 = co - co % 4, rowstep = s->w * co;
    const int8_t *x = in + ((b * s->h + iy0 + ky0) * s->w + ix0 + kx0) * s->ci;   /* the first tap inside */
    const int8_t *f0 = filter + (ky0 * s->kw + kx0) * co;
    int c, ky, kx;
#ifdef TINYCC_DSP
    const int32_t zp2 = (int32_t)(((uint32_t)in_zp & 0xffffu) * 0x00010001u);
#endif
    for (c = 0; c < co4; c += 4) {   /* the taps inside the input only, as in TFLM; four channels a pass */
        int32_t a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
        const int8_t *xr = x + c, *fr = f0 + c;
        if (s->kw == 3) {   /* 1 to 3 columns inside */
            for (ky = ky0; ky < ky1; ++ky, xr += rowstep, fr += 3 * co) {
                switch (kx1 - kx0) {
                case 3: TINYCC_DW_ZTAP(xr + 2 * co, fr + 2 * co); /* fall through */
                case 2: TINYCC_DW_ZTAP(xr + co, fr + co); /* fall through */
                case 1: TINYCC_DW_ZTAP(xr, fr); /* fall through */
                default: break;
                }
            }
        } else {
            for (ky = ky0; ky < ky1; ++ky, xr += rowstep, fr += s->kw * co) {
                const int8_t *xp = xr, *fp = fr;
                for (kx = kx0; kx < kx1; ++kx, xp += co, fp += co) TINYCC_DW_ZTAP(xp, fp);
            }
        }
        tinycc_dw_store4(s->rq, out + c, a0, a1, a2, a3, shift + c, out_zp, mult + c, shift + c, act_min,
                             act_max);
    }
    for (; c < co; ++c) {
        int32_t acc = bias[c];
        for (ky = ky0; ky < ky1; ++ky)
        for (kx = kx0; kx < kx1; ++kx)
            acc += (int32_t)filter[(ky * s->kw + kx) * co + c] * ((int32_t)x[((ky - ky0) * s->w + kx - kx0) * co + c] - in_zp);
        out[c] = tinycc_dw_store1(s, c, acc, out_zp, mult, shift, act_min, act_max);
    }
}

#ifdef TINYCC_DSP
/* a0..a3 += the 3x3 taps of four channels: x, f at the top-left tap, columns co bytes apart (input
 * and filter), input rows rs bytes apart, filter rows 3 * co; 10 instructions a tap */
#define TINYCC_DW_ASM_TAP(XA, FA) \
    "ldr %[x], " XA "\n\t" "ldr %[f], " FA "\n\t" \
    "sxtb16 %[xo], %[x], ror #8\n\t" "sxtb16 %[fo], %[f], ror #8\n\t" \
    "sxtb16 %[x], %[x]\n\t" "sxtb16 %[f], %[f]\n\t" \
    "smlabb %[a0], %[x], %[f], %[a0]\n\t" "smlatt %[a2], %[x], %[f], %[a2]\n\t" \
    "smlabb %[a1], %[xo], %[fo], %[a1]\n\t" "smlatt %[a3], %[xo], %[fo], %[a3]\n\t"
#define TINYCC_DW_ASM_ROW \
    TINYCC_DW_ASM_TAP("[%[p]]", "[%[q]]") \
    TINYCC_DW_ASM_TAP("[%[p], %[co]]", "[%[q], %[co]]") \
    TINYCC_DW_ASM_TAP("[%[p], %[co], lsl #1]", "[%[q], %[co], lsl #1]")
#define TINYCC_DW_ASM_NEXT_ROW "add %[p], %[p], %[rs]\n\t" "add %[q], %[q], %[co], lsl #1\n\t" "add %[q], %[q], %[co]\n\t"
#define TINYCC_DW_3X3(X, F, CO, RS) do { \
        const int8_t *p_ = (X), *q_ = (F); \
        int32_t x_, f_, xo_, fo_; \
        __asm__(TINYCC_DW_ASM_ROW TINYCC_DW_ASM_NEXT_ROW TINYCC_DW_ASM_ROW TINYCC_DW_ASM_NEXT_ROW TINYCC_DW_ASM_ROW \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [p] "+r"(p_), [q] "+r"(q_), \
                  [x] "=&r"(x_), [f] "=&r"(f_), [xo] "=&r"(xo_), [fo] "=&r"(fo_) \
                : [co] "r"(CO), [rs] "r"(RS) : "memory"); \
    } while (0)
#endif

/* one interior pixel: x points at its top-left tap */
static inline void tinycc_dw_s8_pixel(const tinycc_dw_shape *s, const int8_t *x, const int8_t *filter,
                                      const int32_t *kbias, int8_t *out, int32_t out_zp, const int32_t *mult,
                                      const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int co = s->co, rowstep = s->w * co, co4 = co - co % 4;
    int c, ky, kx;
    if (s->kh == 3 && s->kw == 3) {
        const int8_t *r0 = x, *f = filter;
        for (c = 0; c < co4; c += 4, r0 += 4, f += 4) {
            int32_t a0 = kbias[c], a1 = kbias[c + 1], a2 = kbias[c + 2], a3 = kbias[c + 3];
#ifdef TINYCC_DSP
            TINYCC_DW_3X3(r0, f, co, rowstep);
#else
            const int8_t *r1 = r0 + rowstep, *r2 = r1 + rowstep;
            TINYCC_DW_TAP(r0, f); TINYCC_DW_TAP(r0 + co, f + co); TINYCC_DW_TAP(r0 + 2 * co, f + 2 * co);
            TINYCC_DW_TAP(r1, f + 3 * co); TINYCC_DW_TAP(r1 + co, f + 4 * co); TINYCC_DW_TAP(r1 + 2 * co, f + 5 * co);
            TINYCC_DW_TAP(r2, f + 6 * co); TINYCC_DW_TAP(r2 + co, f + 7 * co); TINYCC_DW_TAP(r2 + 2 * co, f + 8 * co);
#endif
            tinycc_dw_store4(s->rq, out + c, a0, a1, a2, a3, kbias + co + c, out_zp, mult + c, shift + c, act_min,
                             act_max);
        }
    } else {
        for (c = 0; c < co4; c += 4) {
            int32_t a0 = kbias[c], a1 = kbias[c + 1], a2 = kbias[c + 2], a3 = kbias[c + 3];
            for (ky = 0; ky < s->kh; ++ky)
            for (kx = 0; kx < s->kw; ++kx)
                TINYCC_DW_TAP(x + ky * rowstep + kx * co + c, filter + (ky * s->kw + kx) * co + c);
            tinycc_dw_store4(s->rq, out + c, a0, a1, a2, a3, kbias + co + c, out_zp, mult + c, shift + c, act_min,
                             act_max);
        }
    }
    for (c = co4; c < co; ++c) {
        int32_t acc = kbias[c];
        for (ky = 0; ky < s->kh; ++ky)
        for (kx = 0; kx < s->kw; ++kx)
            acc += (int32_t)filter[(ky * s->kw + kx) * co + c] * x[ky * rowstep + kx * co + c];
        out[c] = tinycc_dw_store1(s, c, acc, out_zp, mult, shift, act_min, act_max);
    }
}

/* output row oy of image b, fast: interior pixels (ox0 <= ox < ox1 of an interior row) without
 * bounds checks, the others through the border routine */
static inline void tinycc_depthwise_conv_2d_s8_fast_row(const tinycc_dw_shape *s, const int8_t *in,
                                                        const int8_t *filter, const int32_t *bias,
                                                        const int32_t *kbias, int8_t *row, int b, int oy, int ox0,
                                                        int ox1, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                                        const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int iy = oy * s->sh - s->pad_t;
    int ox;
    if (iy < 0 || iy + s->kh > s->h) ox0 = ox1 = s->ow;
    for (ox = 0; ox < ox0; ++ox)
        tinycc_dw_s8_border(s, in, filter, bias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                            act_min, act_max);
    for (; ox < ox1; ++ox)
        tinycc_dw_s8_pixel(s, in + ((b * s->h + iy) * s->w + ox * s->sw - s->pad_l) * s->ci, filter, kbias,
                           row + ox * s->co, out_zp, mult, shift, act_min, act_max);
    for (; ox < s->ow; ++ox)
        tinycc_dw_s8_border(s, in, filter, bias, row + ox * s->co, b, oy, ox, in_zp, out_zp, mult, shift,
                            act_min, act_max);
}

static inline void tinycc_depthwise_conv_2d_s8_fast(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                                    const int32_t *bias, const int32_t *kbias, int8_t *out,
                                                    int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                                    const int32_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy, ox0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_s8_fast_row(s, in, filter, bias, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co,
                                             b, oy, ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
}

/* In place (kernels/inplace.h): the output over its input `buf` (batch 1), rows through the ring */
static inline void tinycc_depthwise_conv_2d_s8_fast_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                            int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                            const int32_t *kbias, int8_t *ring, int32_t in_zp,
                                                            int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                                            int32_t act_min, int32_t act_max) {
    int ox0, step, first = tinycc_ring_start(r), count = 0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_s8_fast_row(s, buf, filter, bias, kbias, tinycc_ring_slot(r, ring, oy), 0, oy,
                                             ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* in place, reference arithmetic (depth multipliers, dilations, folded bias out of int32) */
static inline void tinycc_depthwise_conv_2d_s8_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                       int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                       int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                       const int32_t *mult, const int32_t *shift,
                                                       int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_s8_row(s, buf, filter, bias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp,
                                        mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

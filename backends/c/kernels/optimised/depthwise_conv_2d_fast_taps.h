/* Fast int8 depthwise convolution (depth multiplier 1, dilation 1; needs dot_s8.h). `kbias[c]` is
 * bias[c] - in_zp * sum(filter[.., c]) folded at compile time: a pixel whose taps all lie inside
 * the input accumulates four channels at a time over its taps without bounds checks (3x3 unrolled);
 * pixels touching the padding accumulate bias + sum f * (x - in_zp) over their inside taps, as TFLM.
 * On a DSP core one word load gives a tap's four channels: SXTB16 splits it into channels (0, 2)
 * and (1, 3), SMLABB / SMLATT multiply-accumulate each channel with its filter halfword.
 *
 * Requantisation: when s->rq is 1 (the emitter checks every channel: shift = -r with 2 <= r <= 17,
 * multiplier M >= 0, and the high word below fits 24 bits), the constants are packed with the
 * folded bias (tinycc_dw_kp below): rqw[c] = hi0 * 256 + (r - 1) with hi0 = 2^(r-2) * (2 * out_zp + 1), and TFLM's
 * MultiplyByQuantizedMultiplier(acc, M, -r) + out_zp is one 64-bit multiply-accumulate:
 *   floor((acc * M + 2^30 + 2^(30+r) + out_zp * 2^(31+r) - 2^31 * [acc < 0]) / 2^(31+r))
 * (SRDHM's floor((acc * M + 2^30) / 2^31) and RoundingDivideByPOT's round-half-away of it by 2^r
 * merge: floors of floors, an integer added before the floor; the "negative" test of the rounding
 * is acc < 0 whenever it matters). Start: high word hi0 + (acc < 0 ? -1 : 0), low word
 * 2^30 | (acc & 2^31); SMLAL; the result is the high word shifted right by r - 1 (an ARM register
 * shift reads the low byte of rqw). When s->rq is 2 (2 <= r <= 24, any out_zp: hi0 * 2^(31+r) may
 * not fit) hi0 = 2^(r-2) and out_zp is added after the shift (hi0 of rq 1 is that plus
 * out_zp * 2^(r-1), a multiple of the divisor 2^(r-1): the same floor). Else tinycc_requant_s8. */
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
/* as tinycc_dw_rq, out_zp added after the shift (rq 2) */
static inline int32_t tinycc_dw_rq2(int32_t acc, int32_t mult, int32_t rqw, int32_t k40, int32_t zp) {
    int32_t t, lo, hi;
    __asm__("asr %[t], %[acc], #31\n\t"
            "orr %[lo], %[k], %[t], lsl #31\n\t"
            "add %[hi], %[t], %[w], asr #8\n\t"
            "smlal %[lo], %[hi], %[acc], %[m]\n\t"
            "asr %[hi], %[hi], %[w]\n\t"
            "add %[hi], %[hi], %[z]\n\t"
            "ssat %[hi], #8, %[hi]"
            : [t] "=&r"(t), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [acc] "r"(acc), [m] "r"(mult), [w] "r"(rqw), [k] "r"(k40), [z] "r"(zp));
    return hi;
}
/* bytes v0..v3 (low bytes) in one word */
static inline uint32_t tinycc_dw_pack4(int32_t v0, int32_t v1, int32_t v2, int32_t v3) {
    uint32_t w = (uint32_t)v0;
    __asm__("bfi %0, %1, #8, #8\n\tbfi %0, %2, #16, #8\n\tbfi %0, %3, #24, #8" : "+r"(w) : "r"(v1), "r"(v2), "r"(v3));
    return w;
}
#elif defined(__ARM_ARCH_6M__)
/* ARMv6-M has no 32x32 -> 64 multiply (GCC calls __aeabi_lmul for an int64 product): the high word of
 * hi0 2^32 + acc M + (acc < 0 ? -2^30 : 2^30) from 16-bit halves, four MULS (Hacker's Delight's mulhs;
 * M >= 0, every partial sum within int32): acc M = (ah bh + t_hi + u_hi) 2^32 + u_lo 2^16 + ll_lo with
 * ll = al bl, t = ah bl + ll_hi, u = al bh + t_lo; the added constant is -1 or 0 in the high word and
 * 0xc0000000 or 0x40000000 in the low one, whose carry out of u_lo 2^16 (ll_lo adds no carry: the
 * constant's low half is 0) goes to the high word */
static inline int32_t tinycc_dw_hi_v6m(int32_t acc, int32_t mult, int32_t rqw) {
#ifdef TINYCC_V6M_ASM
    return tinycc_mulhi_k_v6m(acc, mult, (rqw >> 8) + (acc >> 31));
#else
    const int32_t ah = acc >> 16, bh = mult >> 16;
    const uint32_t al = (uint32_t)acc & 0xffffu, bl = (uint32_t)mult & 0xffffu;
    const uint32_t ll = al * bl;
    const int32_t t = ah * (int32_t)bl + (int32_t)(ll >> 16);
    const int32_t u = (int32_t)al * bh + (t & 0xffff);
    const uint32_t ul = (uint32_t)u << 16, k = acc < 0 ? 0xc0000000u : 0x40000000u;
    return ah * bh + (t >> 16) + (u >> 16) + (rqw >> 8) + (acc >> 31) + (int32_t)(ul + k < ul);
#endif
}
/* not saturated to int8 here: every caller clamps the result to [act_min, act_max], inside int8 */
static inline int32_t tinycc_dw_rq(int32_t acc, int32_t mult, int32_t rqw, int32_t k40) {
    (void)k40;
    return tinycc_dw_hi_v6m(acc, mult, rqw) >> (rqw & 255);
}
static inline int32_t tinycc_dw_rq2(int32_t acc, int32_t mult, int32_t rqw, int32_t k40, int32_t zp) {
    (void)k40;
    return (tinycc_dw_hi_v6m(acc, mult, rqw) >> (rqw & 255)) + zp;
}
#else
/* the high word, floor(a / 2^32), as an arithmetic shift (as the kernels' other signed shifts: a
 * floor on every compiler tinycc targets; the division and remainder took GCC 12 more instructions) */
static inline int32_t tinycc_dw_rq(int32_t acc, int32_t mult, int32_t rqw, int32_t k40) {
    const int64_t hi0 = rqw >> 8;   /* arithmetic: rqw = hi0 * 256 + (r - 1) */
    const int64_t a = hi0 * 4294967296LL + k40 - (acc < 0 ? ((int64_t)1 << 31) : 0) + (int64_t)acc * mult;
    return tinycc_clamp((int32_t)(a >> 32) >> (rqw & 255), -128, 127);
}
static inline int32_t tinycc_dw_rq2(int32_t acc, int32_t mult, int32_t rqw, int32_t k40, int32_t zp) {
    const int64_t hi0 = rqw >> 8;
    const int64_t a = hi0 * 4294967296LL + k40 - (acc < 0 ? ((int64_t)1 << 31) : 0) + (int64_t)acc * mult;
    return tinycc_clamp(((int32_t)(a >> 32) >> (rqw & 255)) + zp, -128, 127);
}
#endif

/* Constants of channel c. Without rq: kbias[c], mult[c], shift[c]. With rq the emitter packs them
 * by groups of four channels (the last group zero-padded): kbias[12 g + 0..3] the folded biases of
 * channels 4 g..4 g + 3, then each one's multiplier and requantisation word side by side
 * (kbias[12 g + 4 + 2 i], kbias[12 g + 5 + 2 i]): one pointer walks a group's constants, a
 * channel's pair is one LDRD; mult and shift are unused. `ms`: the step between channels'
 * multipliers (and words): 2 packed, 1 not */
static inline const int32_t *tinycc_dw_kp(int rq, const int32_t *kbias, int c) {
    return rq ? kbias + (c >> 2) * 12 + (c & 3) : kbias + c;
}
static inline const int32_t *tinycc_dw_mp(int rq, const int32_t *kbias, const int32_t *mult, int c) {
    return rq ? kbias + (c >> 2) * 12 + 4 + 2 * (c & 3) : mult + c;
}
static inline const int32_t *tinycc_dw_sp(int rq, const int32_t *kbias, const int32_t *shift, int c) {
    return rq ? kbias + (c >> 2) * 12 + 5 + 2 * (c & 3) : shift + c;
}

/* four accumulators of channels c..c+3 requantised (mult and shift point at channel c's, the next
 * channels' ms words further; shift at its requantisation word when rq is set), clamped and
 * stored at out[0..3] */
static inline void tinycc_dw_store4(int rq, int8_t *out, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                    int32_t out_zp, const int32_t *mult, const int32_t *shift, int ms,
                                    int32_t act_min, int32_t act_max) {
#if defined(__ARM_ARCH_6M__) && !defined(TINYCC_DSP)
    if (rq && out_zp <= act_min) {
        /* ARMv6-M: with M >= 0 (the emitter's check for rq) an accumulator <= 0 requantises to at most
         * out_zp (SRDHM and the rounding shift of a value <= 0 stay <= 0), which the clamp takes to
         * act_min: a ReLU's negative half without the 64-bit multiply */
        const int32_t k40 = 0x40000000;
#define TINYCC_DW_RELU_ONE(I, A, RQ) \
        out[I] = (int8_t)((A) <= 0 ? act_min : tinycc_clamp(RQ, act_min, act_max))
        if (rq == 1) {
            TINYCC_DW_RELU_ONE(0, a0, tinycc_dw_rq(a0, mult[0], shift[0], k40));
            TINYCC_DW_RELU_ONE(1, a1, tinycc_dw_rq(a1, mult[ms], shift[ms], k40));
            TINYCC_DW_RELU_ONE(2, a2, tinycc_dw_rq(a2, mult[2 * ms], shift[2 * ms], k40));
            TINYCC_DW_RELU_ONE(3, a3, tinycc_dw_rq(a3, mult[3 * ms], shift[3 * ms], k40));
        } else {
            TINYCC_DW_RELU_ONE(0, a0, tinycc_dw_rq2(a0, mult[0], shift[0], k40, out_zp));
            TINYCC_DW_RELU_ONE(1, a1, tinycc_dw_rq2(a1, mult[ms], shift[ms], k40, out_zp));
            TINYCC_DW_RELU_ONE(2, a2, tinycc_dw_rq2(a2, mult[2 * ms], shift[2 * ms], k40, out_zp));
            TINYCC_DW_RELU_ONE(3, a3, tinycc_dw_rq2(a3, mult[3 * ms], shift[3 * ms], k40, out_zp));
        }
#undef TINYCC_DW_RELU_ONE
        return;
    }
#endif
    if (rq) {
        const int32_t k40 = 0x40000000;
        int32_t v0, v1, v2, v3;
        if (rq == 1) {
            v0 = tinycc_dw_rq(a0, mult[0], shift[0], k40);
            v1 = tinycc_dw_rq(a1, mult[ms], shift[ms], k40);
            v2 = tinycc_dw_rq(a2, mult[2 * ms], shift[2 * ms], k40);
            v3 = tinycc_dw_rq(a3, mult[3 * ms], shift[3 * ms], k40);
        } else {
            v0 = tinycc_dw_rq2(a0, mult[0], shift[0], k40, out_zp);
            v1 = tinycc_dw_rq2(a1, mult[ms], shift[ms], k40, out_zp);
            v2 = tinycc_dw_rq2(a2, mult[2 * ms], shift[2 * ms], k40, out_zp);
            v3 = tinycc_dw_rq2(a3, mult[3 * ms], shift[3 * ms], k40, out_zp);
        }
#ifdef TINYCC_DSP
        uint32_t w = tinycc_dw_pack4(v0, v1, v2, v3);
        if (act_min > -128 || act_max < 127) {   /* tinycc_dw_rq saturated to int8 already */
            const uint32_t lo4 = ((uint32_t)act_min & 0xffu) * 0x01010101u;
            const uint32_t hi4 = ((uint32_t)act_max & 0xffu) * 0x01010101u;
            (void)__ssub8(w, lo4);   /* GE per byte: w >= act_min */
            w = __sel(w, lo4);
            (void)__ssub8(w, hi4);   /* GE per byte: w >= act_max */
            w = __sel(hi4, w);
        }
        memcpy(out, &w, 4);
#else
        out[0] = (int8_t)tinycc_clamp(v0, act_min, act_max);
        out[1] = (int8_t)tinycc_clamp(v1, act_min, act_max);
        out[2] = (int8_t)tinycc_clamp(v2, act_min, act_max);
        out[3] = (int8_t)tinycc_clamp(v3, act_min, act_max);
#endif
    } else {
        out[0] = tinycc_requant_s8(a0, mult[0], shift[0], out_zp, act_min, act_max);
        out[1] = tinycc_requant_s8(a1, mult[ms], shift[ms], out_zp, act_min, act_max);
        out[2] = tinycc_requant_s8(a2, mult[2 * ms], shift[2 * ms], out_zp, act_min, act_max);
        out[3] = tinycc_requant_s8(a3, mult[3 * ms], shift[3 * ms], out_zp, act_min, act_max);
    }
}

/* tinycc_dw_store4 of a packed group (pk at its folded biases; rq 1 or 2): on a DSP core one block
 * of assembly for the four requantisations and the packing (out_zp's register made GCC spill the
 * group pointer in the C form of rq 2; beside tinycc_dw_s8_pf2 the C form of rq 1 called
 * tinycc_dw_rq out of line) */
static inline void tinycc_dw_store4pk(int rq, int8_t *out, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                      const int32_t *pk, int32_t out_zp, int32_t act_min, int32_t act_max) {
#ifdef TINYCC_DSP
    int32_t m, w, t, lo, hi;
    uint32_t v;
#define TINYCC_DW_RQ_ASM(A, OFF, ZP) \
    "ldrd %[m], %[w], [%[pk], #" OFF "]\n\t" \
    "asr %[t], %[" A "], #31\n\t" \
    "orr %[lo], %[k], %[t], lsl #31\n\t" \
    "add %[hi], %[t], %[w], asr #8\n\t" \
    "smlal %[lo], %[hi], %[" A "], %[m]\n\t" \
    "asr %[" A "], %[hi], %[w]\n\t" \
    ZP \
    "ssat %[" A "], #8, %[" A "]\n\t"
    if (rq == 1) {
        __asm__(TINYCC_DW_RQ_ASM("a0", "16", "") TINYCC_DW_RQ_ASM("a1", "24", "")
                TINYCC_DW_RQ_ASM("a2", "32", "") TINYCC_DW_RQ_ASM("a3", "40", "")
                "bfi %[a0], %[a1], #8, #8\n\t" "bfi %[a0], %[a2], #16, #8\n\t" "bfi %[a0], %[a3], #24, #8"
                : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [m] "=&r"(m), [w] "=&r"(w),
                  [t] "=&r"(t), [lo] "=&r"(lo), [hi] "=&r"(hi)
                : [pk] "r"(pk), [k] "r"(0x40000000), "m"(*(const int32_t (*)[12])pk));
        (void)out_zp;
    } else {
        __asm__(TINYCC_DW_RQ_ASM("a0", "16", "add %[a0], %[a0], %[z]\n\t")
                TINYCC_DW_RQ_ASM("a1", "24", "add %[a1], %[a1], %[z]\n\t")
                TINYCC_DW_RQ_ASM("a2", "32", "add %[a2], %[a2], %[z]\n\t")
                TINYCC_DW_RQ_ASM("a3", "40", "add %[a3], %[a3], %[z]\n\t")
                "bfi %[a0], %[a1], #8, #8\n\t" "bfi %[a0], %[a2], #16, #8\n\t" "bfi %[a0], %[a3], #24, #8"
                : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [m] "=&r"(m), [w] "=&r"(w),
                  [t] "=&r"(t), [lo] "=&r"(lo), [hi] "=&r"(hi)
                : [pk] "r"(pk), [k] "r"(0x40000000), [z] "r"(out_zp), "m"(*(const int32_t (*)[12])pk));
    }
#undef TINYCC_DW_RQ_ASM
    v = (uint32_t)a0;
    if (act_min > -128 || act_max < 127) {   /* saturated to int8 already */
        const uint32_t lo4 = ((uint32_t)act_min & 0xffu) * 0x01010101u;
        const uint32_t hi4 = ((uint32_t)act_max & 0xffu) * 0x01010101u;
        (void)__ssub8(v, lo4);
        v = __sel(v, lo4);
        (void)__ssub8(v, hi4);
        v = __sel(hi4, v);
    }
    memcpy(out, &v, 4);
#else
    tinycc_dw_store4(rq, out, a0, a1, a2, a3, out_zp, pk + 4, pk + 5, 2, act_min, act_max);
#endif
}

/* one accumulator (mult, shift: the channel's, as tinycc_dw_store4) */
static inline int8_t tinycc_dw_store1(int rq, int32_t acc, int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                      int32_t act_min, int32_t act_max) {
    if (rq == 1) return (int8_t)tinycc_clamp(tinycc_dw_rq(acc, *mult, *shift, 0x40000000), act_min, act_max);
    if (rq == 2) return (int8_t)tinycc_clamp(tinycc_dw_rq2(acc, *mult, *shift, 0x40000000, out_zp), act_min, act_max);
    return tinycc_requant_s8(acc, *mult, *shift, out_zp, act_min, act_max);
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
                                       const int32_t *bias, const int32_t *kbias, int8_t *out, int b, int oy, int ox,
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
        tinycc_dw_store4(s->rq, out + c, a0, a1, a2, a3, out_zp, tinycc_dw_mp(s->rq, kbias, mult, c),
                         tinycc_dw_sp(s->rq, kbias, shift, c), s->rq ? 2 : 1, act_min, act_max);
    }
    for (; c < co; ++c) {
        int32_t acc = bias[c];
        for (ky = ky0; ky < ky1; ++ky)
        for (kx = kx0; kx < kx1; ++kx)
            acc += (int32_t)filter[(ky * s->kw + kx) * co + c] * ((int32_t)x[((ky - ky0) * s->w + kx - kx0) * co + c] - in_zp);
        out[c] = tinycc_dw_store1(s->rq, acc, out_zp, tinycc_dw_mp(s->rq, kbias, mult, c),
                                  tinycc_dw_sp(s->rq, kbias, shift, c), act_min, act_max);
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

/* Packed filter (s->pf: 3x3 with rq; the emitter packs it): group g of four channels holds its 9
 * taps' words, tap t's at byte 36 g + 4 t (channels past co zero). The taps then read the filter
 * at fixed offsets, and the input's column step cs needs not be co (a border patch's channel
 * chunk). */
#ifdef TINYCC_DSP
/* a filter row; NEXT (stepping p to the next input row) right after the row's last load, so that no
 * load's address comes from the instruction just before it */
#define TINYCC_DW_ASM_PROW(F0, F1, F2, NEXT) \
    TINYCC_DW_ASM_TAP("[%[p]]", "[%[q], #" F0 "]") \
    TINYCC_DW_ASM_TAP("[%[p], %[cs]]", "[%[q], #" F1 "]") \
    "ldr %[x], [%[p], %[cs], lsl #1]\n\t" "ldr %[f], [%[q], #" F2 "]\n\t" NEXT \
    "sxtb16 %[xo], %[x], ror #8\n\t" "sxtb16 %[fo], %[f], ror #8\n\t" \
    "sxtb16 %[x], %[x]\n\t" "sxtb16 %[f], %[f]\n\t" \
    "smlabb %[a0], %[x], %[f], %[a0]\n\t" "smlatt %[a2], %[x], %[f], %[a2]\n\t" \
    "smlabb %[a1], %[xo], %[fo], %[a1]\n\t" "smlatt %[a3], %[xo], %[fo], %[a3]\n\t"
/* the 3x3 taps: the second filter row RS bytes after the first, the third after the second by the
 * register named STEP2 ("rs", or "rs2" given as the extra input operand ..., with an empty argument
 * before it) */
#define TINYCC_DW_PF3X3_STEPS(X, F, CS, RS, STEP2, ...) do { \
        const int8_t *p_ = (X); \
        int32_t x_, f_, xo_, fo_; \
        __asm__(TINYCC_DW_ASM_PROW("0", "4", "8", "add %[p], %[p], %[rs]\n\t") \
                TINYCC_DW_ASM_PROW("12", "16", "20", "add %[p], %[p], %[" STEP2 "]\n\t") \
                TINYCC_DW_ASM_PROW("24", "28", "32", "") \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [p] "+r"(p_), \
                  [x] "=&r"(x_), [f] "=&r"(f_), [xo] "=&r"(xo_), [fo] "=&r"(fo_) \
                : [q] "r"(F), [cs] "r"(CS), [rs] "r"(RS) __VA_ARGS__ : "memory"); \
    } while (0)
#define TINYCC_DW_PF3X3(X, F, CS, RS) TINYCC_DW_PF3X3_STEPS(X, F, CS, RS, "rs", )
/* the third filter row RS2 bytes after the second (tinycc_dw_s8_rows: input rows in a ring) */
#define TINYCC_DW_PF3X3_RS2(X, F, CS, RS, RS2) TINYCC_DW_PF3X3_STEPS(X, F, CS, RS, "rs2", , [rs2] "r"(RS2))
#elif defined(TINYCC_V6M_ASM) && !defined(__OPTIMIZE_SIZE__)
/* ARMv6-M: 16-bit Thumb, LDRSB with a register offset loads each byte sign-extended: the offsets 0..3
 * of the four channels held in r4-r7 (pushed and popped: r7 may be the frame pointer, which nothing
 * here addresses), the input tap pointer r0 and the filter pointer r1 stepped a tap: 4 instructions a
 * MAC and 2 a tap (18 a tap of 4 MACs; words with shifts took 22), any alignment. Accumulators
 * r8-r11, the column step r12, the step from a row's last tap to the next row's first lr. */
#define TINYCC_DW_V6M_TAP(STEP) \
    "ldrsb r2, [r0, r4]\n\t" "ldrsb r3, [r1, r4]\n\t" "muls r2, r3, r2\n\t" "add r8, r2\n\t" \
    "ldrsb r2, [r0, r5]\n\t" "ldrsb r3, [r1, r5]\n\t" "muls r2, r3, r2\n\t" "add r9, r2\n\t" \
    "ldrsb r2, [r0, r6]\n\t" "ldrsb r3, [r1, r6]\n\t" "muls r2, r3, r2\n\t" "add r10, r2\n\t" \
    "ldrsb r2, [r0, r7]\n\t" "ldrsb r3, [r1, r7]\n\t" "muls r2, r3, r2\n\t" "add r11, r2\n\t" \
    STEP
#define TINYCC_DW_V6M_NEXT "add r0, r12\n\t" "adds r1, #4\n\t"
#define TINYCC_DW_V6M_NEXT_ROW "add r0, lr\n\t" "adds r1, #4\n\t"
#define TINYCC_DW_V6M_ROW3(LAST) \
    TINYCC_DW_V6M_TAP(TINYCC_DW_V6M_NEXT) TINYCC_DW_V6M_TAP(TINYCC_DW_V6M_NEXT) TINYCC_DW_V6M_TAP(LAST)
#define TINYCC_DW_PF3X3(X, F, CS, RS) do { \
        register const int8_t *c_ __asm__("r0") = (X); \
        register const int8_t *q_ __asm__("r1") = (F); \
        register int32_t n_ __asm__("r2") = (int32_t)(RS) - 2 * (int32_t)(CS); \
        register int32_t cs_ __asm__("r12") = (CS); \
        register int32_t a0_ __asm__("r8") = a0; \
        register int32_t a1_ __asm__("r9") = a1; \
        register int32_t a2_ __asm__("r10") = a2; \
        register int32_t a3_ __asm__("r11") = a3; \
        __asm__ volatile(".syntax unified\n\t" \
                         "push {r4, r5, r6, r7}\n\t" \
                         "mov lr, r2\n\t" \
                         "movs r4, #0\n\t" "movs r5, #1\n\t" "movs r6, #2\n\t" "movs r7, #3\n\t" \
                         TINYCC_DW_V6M_ROW3(TINYCC_DW_V6M_NEXT_ROW) TINYCC_DW_V6M_ROW3(TINYCC_DW_V6M_NEXT_ROW) \
                         TINYCC_DW_V6M_ROW3("") \
                         "pop {r4, r5, r6, r7}\n\t" \
                         : "+l"(c_), "+l"(q_), "+l"(n_), "+h"(a0_), "+h"(a1_), "+h"(a2_), "+h"(a3_) \
                         : "h"(cs_) \
                         : "r3", "lr", "cc", "memory"); \
        a0 = a0_, a1 = a1_, a2 = a2_, a3 = a3_; \
    } while (0)
#else
#define TINYCC_DW_PF3X3(X, F, CS, RS) do { \
        const int8_t *r0_ = (X), *r1_ = r0_ + (RS), *r2_ = r1_ + (RS), *f_ = (F); \
        TINYCC_DW_TAP(r0_, f_); TINYCC_DW_TAP(r0_ + (CS), f_ + 4); TINYCC_DW_TAP(r0_ + 2 * (CS), f_ + 8); \
        TINYCC_DW_TAP(r1_, f_ + 12); TINYCC_DW_TAP(r1_ + (CS), f_ + 16); TINYCC_DW_TAP(r1_ + 2 * (CS), f_ + 20); \
        TINYCC_DW_TAP(r2_, f_ + 24); TINYCC_DW_TAP(r2_ + (CS), f_ + 28); TINYCC_DW_TAP(r2_ + 2 * (CS), f_ + 32); \
    } while (0)
#endif

/* a0..a3 = p[0..3] (four loads back to back: each pipelines after the one before, 5 cycles where two
 * LDRD take 6) */
#ifdef TINYCC_DSP
#define TINYCC_DW_LD4(P) \
    __asm__("ldr %0, [%4]\n\t" "ldr %1, [%4, #4]\n\t" "ldr %2, [%4, #8]\n\t" "ldr %3, [%4, #12]" \
            : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3) : "r"(P), "m"(*(const int32_t (*)[4])(P)))
#else
#define TINYCC_DW_LD4(P) (a0 = (P)[0], a1 = (P)[1], a2 = (P)[2], a3 = (P)[3])
#endif

/* Stride 1, two adjacent pixels a pass (tinycc_dw_s8_pf2): per filter row the pair reads 4 input
 * columns, each widened once and multiplied into both pixels' accumulators (a0..a3 the left
 * pixel's, b0..b3 the right one's): 4 input loads, 8 widenings, 12 filter and 3 step loads for 24
 * multiply-accumulates a filter row, 51 instructions (two pixels of the one-pixel loop: 60). On a
 * DSP core a group's 9 filter taps are widened once a call into fw[] on the stack (fw[2 t]: SXTB16
 * of tap t's word, channels 0 and 2; fw[2 t + 1]: its odd bytes, channels 1 and 3; then the column
 * step, the row step, three column steps), one LDR each: the accumulators, the input word's two
 * halves, a filter halfword pair, the input pointer and fw's take 13 registers (GCC found none more
 * for the steps). Without DSP TINYCC_DW2_ROW(X, FR, CS) is one filter row, X at the left pixel's
 * first column, FR at the row's packed taps. */
#ifdef TINYCC_DSP
#define TINYCC_DW2_LDX(XA) "ldr %[x], " XA "\n\t" "sxtb16 %[xe], %[x]\n\t" "sxtb16 %[x], %[x], ror #8\n\t"
#define TINYCC_DW2_MAC(FE, FO, A) \
    "ldr %[f], [%[q], #" FE "]\n\t" "smlabb %[" A "0], %[xe], %[f], %[" A "0]\n\t" \
    "smlatt %[" A "2], %[xe], %[f], %[" A "2]\n\t" \
    "ldr %[f], [%[q], #" FO "]\n\t" "smlabb %[" A "1], %[x], %[f], %[" A "1]\n\t" \
    "smlatt %[" A "3], %[x], %[f], %[" A "3]\n\t"
/* filter row of taps T0, T1, T2 (byte offsets of their even words in fw; odd at + 4) */
#define TINYCC_DW2_ROWASM(E0, O0, E1, O1, E2, O2) \
    TINYCC_DW2_LDX("[%[p]]") TINYCC_DW2_MAC(E0, O0, "a") \
    "ldr %[f], [%[q], #72]\n\t" TINYCC_DW2_LDX("[%[p], %[f]]") TINYCC_DW2_MAC(E1, O1, "a") \
    TINYCC_DW2_MAC(E0, O0, "b") \
    "ldr %[f], [%[q], #72]\n\t" TINYCC_DW2_LDX("[%[p], %[f], lsl #1]") TINYCC_DW2_MAC(E2, O2, "a") \
    TINYCC_DW2_MAC(E1, O1, "b") \
    "ldr %[f], [%[q], #80]\n\t" TINYCC_DW2_LDX("[%[p], %[f]]") \
    TINYCC_DW2_MAC(E2, O2, "b")
#define TINYCC_DW2_NEXTROW "ldr %[f], [%[q], #76]\n\t" "add %[p], %[p], %[f]\n\t"
/* the 3x3 taps of the pair: X at the left pixel's top-left tap, FW the widened filter (fw[18] the
 * column step, fw[19] the row step, fw[20] three columns) */
#define TINYCC_DW2_3X3(X, FW) do { \
        const int8_t *p_ = (X); \
        int32_t x_, xe_, f_; \
        __asm__(TINYCC_DW2_ROWASM("0", "4", "8", "12", "16", "20") TINYCC_DW2_NEXTROW \
                TINYCC_DW2_ROWASM("24", "28", "32", "36", "40", "44") TINYCC_DW2_NEXTROW \
                TINYCC_DW2_ROWASM("48", "52", "56", "60", "64", "68") \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [b0] "+r"(b0), [b1] "+r"(b1), \
                  [b2] "+r"(b2), [b3] "+r"(b3), [x] "=&r"(x_), [xe] "=&r"(xe_), [f] "=&r"(f_), [p] "+r"(p_) \
                : [q] "r"(FW) : "memory"); \
    } while (0)
#else
#define TINYCC_DW2_ROW(X, FR, CS) do { \
        const int8_t *x_ = (X), *f_ = (FR); \
        int j_; \
        for (j_ = 0; j_ < 3; ++j_) { \
            const int8_t *fp_ = f_ + 4 * j_, *xp_ = x_ + j_ * (CS), *xq_ = xp_ + (CS); \
            a0 += (int32_t)fp_[0] * xp_[0]; a1 += (int32_t)fp_[1] * xp_[1]; \
            a2 += (int32_t)fp_[2] * xp_[2]; a3 += (int32_t)fp_[3] * xp_[3]; \
            b0 += (int32_t)fp_[0] * xq_[0]; b1 += (int32_t)fp_[1] * xq_[1]; \
            b2 += (int32_t)fp_[2] * xq_[2]; b3 += (int32_t)fp_[3] * xq_[3]; \
        } \
    } while (0)
#define TINYCC_DW2_3X3(X, FW) do { \
        TINYCC_DW2_ROW((X), fg, cs); TINYCC_DW2_ROW((X) + rowstep, fg + 12, cs); \
        TINYCC_DW2_ROW((X) + 2 * rowstep, fg + 24, cs); \
    } while (0)
#endif

/* tinycc_dw_s8_pf at stride 1 in the input (xstep == cs == co) with rq 1 (rq 2 keeps the one-pixel
 * loop: VWW's wide layers are rq 1, and a second copy of the requantisation cost 0.4 KB of flash),
 * channels 0..n4-1 (n4 a multiple of 4), npix even: groups outer, pixels two a pass */
static __attribute__((noinline, unused)) void tinycc_dw_s8_pf2(const int8_t *x, int cs, int rowstep, int npix,
                                                                int n4, int co, const int8_t *fpk,
                                                                const int32_t *pk0, int8_t *out, int32_t out_zp,
                                                                int32_t act_min, int32_t act_max) {
    const int8_t *const xend = x + npix * cs;
    int g;
    for (g = 0; g < n4; g += 4) {
        const int32_t *const pk = pk0 + 3 * g;
        const int8_t *const fg = fpk + 9 * g, *xc = x + g;
#ifdef TINYCC_DSP
        int32_t fw[21];
        int t;
        for (t = 0; t < 9; ++t) {
            int32_t w;
            memcpy(&w, fg + 4 * t, 4);
            fw[2 * t] = __sxtb16(w);
            fw[2 * t + 1] = tinycc_dw_sxtb16_odd(w);
        }
        fw[18] = cs;
        fw[19] = rowstep;
        fw[20] = 3 * cs;
#endif
        for (; xc != xend + g; xc += 2 * cs) {   /* cs == co: outputs advance as inputs */
            int8_t *const oc = out + (xc - x);
            int32_t a0, a1, a2, a3, b0, b1, b2, b3;
            TINYCC_DW_LD4(pk);
            b0 = a0, b1 = a1, b2 = a2, b3 = a3;
            TINYCC_DW2_3X3(xc, fw);
            tinycc_dw_store4pk(1, oc, a0, a1, a2, a3, pk, out_zp, act_min, act_max);
            tinycc_dw_store4pk(1, oc + co, b0, b1, b2, b3, pk, out_zp, act_min, act_max);
        }
    }
}

/* pf: npix pixels with every tap inside, channels 0..nch-1 from a group boundary: x at the first
 * pixel's top-left tap (channel 0), columns cs bytes apart, rows rowstep, pixels xstep; fpk and
 * pk at the first group's packed filter and constants; outputs s->co bytes apart from `out` */
/* pf: channels n4..nch-1 of one pixel (as tinycc_dw_s8_pf) */
static inline void tinycc_dw_pf_rest(int rq, const int8_t *x, int cs, int rowstep, int n4, int nch,
                                     const int8_t *fpk, const int32_t *pk0, int8_t *out, int32_t out_zp,
                                     int32_t act_min, int32_t act_max) {
    int c, t;
    for (c = n4; c < nch; ++c) {
        const int g = c >> 2, j = c & 3;
        int32_t acc = pk0[12 * g + j];
        for (t = 0; t < 9; ++t)
            acc += (int32_t)fpk[36 * g + 4 * t + j] * x[(t / 3) * rowstep + (t % 3) * cs + c];
        out[c] = tinycc_dw_store1(rq, acc, out_zp, pk0 + 12 * g + 4 + 2 * j, pk0 + 12 * g + 5 + 2 * j, act_min,
                                  act_max);
    }
}

#if !defined(TINYCC_DSP) && TINYCC_VEC
/* Plain C, vector shape (common/vec.h): `lanes` (16 or 8) channels from a group boundary at a time: their 9 taps gathered from the
 * packed filter once (tap t's lanes in wt[16 t ..]), then each pixel's taps are fixed-trip loops over
 * `lanes` contiguous input bytes, the shape compilers vectorise at -O2 (GCC's very-cheap cost model).
 * Arguments as tinycc_dw_s8_pf's, nv channels (a multiple of lanes) */
/* one pixel's N channels (N a literal, so the loops' trip counts are constants) */
#define TINYCC_DW_PFV_PIXEL(N) do { \
        int32_t a[N]; \
        for (k = 0; k < N; ++k) a[k] = kb[k]; \
        for (t = 0; t < 3; ++t) {   /* a filter row: its three taps' loops one after the other */ \
            const int8_t *xt = xp + t * rowstep, *ft = wt + 48 * t; \
            for (k = 0; k < N; ++k) a[k] += (int32_t)ft[k] * xt[k]; \
            for (k = 0; k < N; ++k) a[k] += (int32_t)ft[16 + k] * xt[cs + k]; \
            for (k = 0; k < N; ++k) a[k] += (int32_t)ft[32 + k] * xt[2 * cs + k]; \
        } \
        for (k = 0; k < N; k += 4) \
            tinycc_dw_store4pk(rq, op + k, a[k], a[k + 1], a[k + 2], a[k + 3], pk0 + 3 * (c + k), out_zp, act_min, \
                               act_max); \
    } while (0)
static inline void tinycc_dw_s8_pfv(int lanes, int rq, const int8_t *x, int cs, int rowstep, int xstep, int npix,
                                    int nv, int co, const int8_t *fpk, const int32_t *pk0, int8_t *out,
                                    int32_t out_zp, int32_t act_min, int32_t act_max) {
    int c, p, t, k;
    for (c = 0; c < nv; c += lanes) {
        int8_t wt[9 * 16];
        int32_t kb[16];
        const int8_t *xp = x + c;
        int8_t *op = out + c;
        for (k = 0; k < lanes; k += 4) {
            const int8_t *fg = fpk + 9 * (c + k);         /* group (c + k) / 4: 36 bytes a group */
            for (t = 0; t < 9; ++t) memcpy(wt + 16 * t + k, fg + 4 * t, 4);
            memcpy(kb + k, pk0 + 3 * (c + k), 16);       /* its four folded biases */
        }
        if (lanes == 16)
            for (p = 0; p < npix; ++p, xp += xstep, op += co) TINYCC_DW_PFV_PIXEL(16);
        else
            for (p = 0; p < npix; ++p, xp += xstep, op += co) TINYCC_DW_PFV_PIXEL(8);
    }
}
#undef TINYCC_DW_PFV_PIXEL
#endif

#ifndef TINYCC_DW_PAIR_MIN
#define TINYCC_DW_PAIR_MIN @TINYCC_DW_PAIR_MIN@   /* interior pixels from which stride 1 takes tinycc_dw_s8_pf2 (VWW: 12 beat 2, 4, 8) */
#endif
#ifndef TINYCC_DW_PAIR
#define TINYCC_DW_PAIR 1     /* 0 (the emitter's): no node reaches tinycc_dw_s8_pf2, which compiles out */
#endif
#if TINYCC_DW_PAIR == 2 && defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
#undef TINYCC_DW_PAIR        /* 2 (the emitter's): only wide-row nodes would, which a DSP core runs through wrow */
#define TINYCC_DW_PAIR 0
#endif
static inline void tinycc_dw_s8_pf(const tinycc_dw_shape *s, const int8_t *x, int cs, int rowstep, int xstep,
                                   int npix, int nch, const int8_t *fpk, const int32_t *pk0, int8_t *out,
                                   int32_t out_zp, int32_t act_min, int32_t act_max) {
    const int co = s->co, rq = s->rq;
    int p, n4 = nch - nch % 4;
#if !defined(TINYCC_DSP) && TINYCC_VEC
    {   /* plain C, vector shape: 16 channels a pass, then 8, the rest below */
        const int n16 = n4 & ~15, n8 = (n4 - n16) & ~7;
        if (n16 > 0)
            tinycc_dw_s8_pfv(16, rq, x, cs, rowstep, xstep, npix, n16, co, fpk, pk0, out, out_zp, act_min, act_max);
        if (n8 > 0)
            tinycc_dw_s8_pfv(8, rq, x + n16, cs, rowstep, xstep, npix, n8, co, fpk + 9 * n16, pk0 + 3 * n16, out + n16,
                             out_zp, act_min, act_max);
        x += n16 + n8, fpk += 9 * (n16 + n8), pk0 += 3 * (n16 + n8), out += n16 + n8;
        nch -= n16 + n8, n4 -= n16 + n8;
        if (nch == 0) return;
    }
#endif
    if (TINYCC_DW_PAIR && rq == 1 && xstep == cs && cs == co && npix >= TINYCC_DW_PAIR_MIN) {   /* stride 1, interior */
        const int n2 = npix & ~1;   /* an odd last pixel below */
        tinycc_dw_s8_pf2(x, cs, rowstep, n2, n4, co, fpk, pk0, out, out_zp, act_min, act_max);
        if (n4 < nch)
            for (p = 0; p < n2; ++p, x += xstep, out += co)
                tinycc_dw_pf_rest(rq, x, cs, rowstep, n4, nch, fpk, pk0, out, out_zp, act_min, act_max);
        else
            x += n2 * xstep, out += n2 * co;
        npix -= n2;
    }
#define TINYCC_DW_PF_HOT(RQ) \
    for (p = 0; p < npix; ++p, x += xstep, out += co) { \
        const int32_t *pk = pk0; \
        const int8_t *fg = fpk, *xc = x, *const xe = x + n4; \
        int8_t *oc = out; \
        for (; xc != xe; xc += 4, oc += 4, pk += 12, fg += 36) { \
            int32_t a0, a1, a2, a3; \
            TINYCC_DW_LD4(pk); \
            TINYCC_DW_PF3X3(xc, fg, cs, rowstep); \
            tinycc_dw_store4pk(RQ, oc, a0, a1, a2, a3, pk, out_zp, act_min, act_max); \
        } \
        if (n4 < nch) tinycc_dw_pf_rest(RQ, x, cs, rowstep, n4, nch, fpk, pk0, out, out_zp, act_min, act_max); \
    }
    if (rq == 1) {
        TINYCC_DW_PF_HOT(1)
    } else {
        TINYCC_DW_PF_HOT(2)
    }
#undef TINYCC_DW_PF_HOT
}


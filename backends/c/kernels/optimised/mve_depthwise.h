/* Helium (MVE) 3x3 depthwise convolution on the packed filter (tinycc_dw_s8_pf's shapes: depth
 * multiplier 1, dilation 1, rq 1 or 2; Cortex-M55/M85, an optimising build; TINYCC_MVE from
 * mve_dot_s8.h). Four channels a vector in int32 lanes (VLDRB.S32 widens 4 bytes as it loads), groups
 * outer and pixels inner, four pixels a pass: per tap one filter load serves the four pixels' VMUL and VADD
 * (MVE multiplies integer vectors by vectors without accumulating).
 * The last group of a depth that is not a multiple of 4 takes predicated input loads and stores (the
 * packed filter and constants are zero-padded to whole groups). Requantisation four channels at a
 * time, TFLM's MultiplyByQuantizedMultiplier(acc, M, -r) + out_zp exactly (the emitter's rq words:
 * multiplier M >= 0, right shift r = (word & 255) + 1 >= 2, no left shift): VQRDMULH is
 * SaturatingRoundingDoublingHighMul; RoundingDivideByPOT rounds half away from zero where VRSHL
 * (by -r) rounds half up, so a negative x takes x - 1 first (x + (x >> 31)): (x - 1 + 2^(r-1)) >> r
 * is x / 2^r rounded half down for x < 0, the same but at halves; x > INT32_MIN since M < 2^31. */
#if defined(TINYCC_MVE)
#define TINYCC_DW_MVE 1

/* TFLM's requantisation of four channels' accumulators (m: multipliers, nr: ~(r - 1) = -r per lane) */
static inline int32x4_t tinycc_mve_dw_rq(int32x4_t acc, int32x4_t m, int32x4_t nr, int32_t out_zp, int32_t act_min,
                                         int32_t act_max) {
    int32x4_t x = vqrdmulhq_s32(acc, m);
    x = vaddq_s32(x, vshrq_n_s32(x, 31));
    x = vaddq_n_s32(vrshlq_s32(x, nr), out_zp);
    return vminq_s32(vmaxq_s32(x, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
}

/* a0..a3 += the tap at byte offset OFF of the four pixels' windows (xp, xstep apart) times filter tap T */
#define TINYCC_MVE_DW_TAP4(T, OFF) do { \
        const int32x4_t f_ = vldrbq_s32(fg + 4 * (T)); \
        const int8_t *x_ = xp + (OFF); \
        a0 = vaddq_s32(a0, vmulq_s32(vldrbq_z_s32(x_, q), f_)); \
        a1 = vaddq_s32(a1, vmulq_s32(vldrbq_z_s32(x_ + xstep, q), f_)); \
        a2 = vaddq_s32(a2, vmulq_s32(vldrbq_z_s32(x_ + 2 * xstep, q), f_)); \
        a3 = vaddq_s32(a3, vmulq_s32(vldrbq_z_s32(x_ + 3 * xstep, q), f_)); \
    } while (0)
#define TINYCC_MVE_DW_TAP1(T, OFF) a0 = vaddq_s32(a0, vmulq_s32(vldrbq_z_s32(xp + (OFF), q), vldrbq_s32(fg + 4 * (T))))
#define TINYCC_MVE_DW_3X3(TAP) do { \
        TAP(0, 0); TAP(1, cs); TAP(2, 2 * cs); \
        TAP(3, rowstep); TAP(4, rowstep + cs); TAP(5, rowstep + 2 * cs); \
        TAP(6, 2 * rowstep); TAP(7, 2 * rowstep + cs); TAP(8, 2 * rowstep + 2 * cs); \
    } while (0)
/* requantised a, its four bytes stored at O (the group's multipliers and words reloaded: no live registers) */
#define TINYCC_MVE_DW_STORE(A, O) do { \
        const int32x4x2_t mw_ = vld2q_s32(pk + 4); \
        const int32x4_t nr_ = vmvnq_s32(vandq_s32(mw_.val[1], vdupq_n_s32(255))); \
        vstrbq_p_s32((O), tinycc_mve_dw_rq((A), mw_.val[0], nr_, out_zp, act_min, act_max), q); \
    } while (0)

/* tinycc_dw_s8_pf's arguments (co: s->co, the output pixel step) */
static __attribute__((noinline, unused)) void tinycc_mve_dw_pf(const int8_t *x, int cs, int rowstep, int xstep,
                                                               int npix, int nch, int co, const int8_t *fpk,
                                                               const int32_t *pk0, int8_t *out, int32_t out_zp,
                                                               int32_t act_min, int32_t act_max) {
    int c, p;
    for (c = 0; c < nch; c += 4) {
        const int8_t *const fg = fpk + 9 * c, *xp = x + c;
        const int32_t *const pk = pk0 + 3 * c;    /* 12 words a group: 4 folded biases, then (M, word) x 4 */
        const mve_pred16_t q = vctp32q((uint32_t)(nch - c));
        int8_t *op = out + c;
        for (p = 0; p + 4 <= npix; p += 4, xp += 4 * xstep, op += 4 * co) {
            int32x4_t a0 = vldrwq_s32(pk), a1 = a0, a2 = a0, a3 = a0;
            TINYCC_MVE_DW_3X3(TINYCC_MVE_DW_TAP4);
            TINYCC_MVE_DW_STORE(a0, op);
            TINYCC_MVE_DW_STORE(a1, op + co);
            TINYCC_MVE_DW_STORE(a2, op + 2 * co);
            TINYCC_MVE_DW_STORE(a3, op + 3 * co);
        }
        for (; p < npix; ++p, xp += xstep, op += co) {
            int32x4_t a0 = vldrwq_s32(pk);
            TINYCC_MVE_DW_3X3(TINYCC_MVE_DW_TAP1);
            TINYCC_MVE_DW_STORE(a0, op);
        }
    }
}
#undef TINYCC_MVE_DW_TAP4
#undef TINYCC_MVE_DW_TAP1
#undef TINYCC_MVE_DW_3X3
#undef TINYCC_MVE_DW_STORE
#endif

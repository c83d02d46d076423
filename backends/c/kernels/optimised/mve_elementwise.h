/* Helium (MVE) int8 ADD / SUB for elementwise.h's tinycc_addsub_s8 (Cortex-M55/M85, an optimising
 * build; elementwise.h declares these and defines TINYCC_MVE_ADDSUB): inputs of the output's shape (no
 * broadcast description, or a linear one with both steps 1), four elements a vector in int32 lanes,
 * TFLM's arithmetic exactly: x = MultiplyByQuantizedMultiplier((in - zp) << left_shift, M, shift) per
 * input (the left shift wraps, as the reference's), their wrapping sum (difference) through the
 * output's, plus its zero point, clamped. MultiplyByQuantizedMultiplier: VSHL by the left shift,
 * VQRDMULH (SaturatingRoundingDoublingHighMul, its one saturating case included), then
 * RoundingDivideByPOT by r: VRSHL by -r rounds half up, TFLM half away from zero, so a negative x takes
 * x - 1 first when r > 0 (saturating: INT32_MIN, an exact multiple, stays): (x - 1 + 2^(r-1)) >> r
 * is x / 2^r rounded half down for x < 0, the same but at halves. Other shapes: 0, the scalar loop. */
#ifdef TINYCC_MVE_ADDSUB
#include <arm_mve.h>

/* MultiplyByQuantizedMultiplier of four lanes (left = max(shift, 0), right = max(-shift, 0); neg: -1
 * when right > 0, else 0) */
static inline int32x4_t tinycc_mve_mbqm(int32x4_t x, int32_t m, int32_t left, int32_t right, int32_t neg) {
    x = vqrdmulhq_n_s32(vshlq_r_s32(x, left), m);
    x = vqaddq_s32(x, vandq_s32(vshrq_n_s32(x, 31), vdupq_n_s32(neg)));
    return vrshlq_n_s32(x, -right);
}

static inline int tinycc_mve_addsub_s8(int32_t n, const tinycc_bcast *s, const int8_t *a, const int8_t *b, int8_t *out,
                                       const tinycc_addsub_params *p, int sign) {
    const int32_t l1 = p->in1_shift > 0 ? p->in1_shift : 0, r1 = p->in1_shift > 0 ? 0 : -p->in1_shift;
    const int32_t l2 = p->in2_shift > 0 ? p->in2_shift : 0, r2 = p->in2_shift > 0 ? 0 : -p->in2_shift;
    const int32_t lo = p->out_shift > 0 ? p->out_shift : 0, ro = p->out_shift > 0 ? 0 : -p->out_shift;
    const int32_t n1 = r1 > 0 ? -1 : 0, n2 = r2 > 0 ? -1 : 0, no = ro > 0 ? -1 : 0;
    const int32_t ls = p->left_shift;
    int32_t i;
    if (s != NULL && !(s->linear && s->a_step == 1 && s->b_step == 1)) return 0;
    for (i = 0; i < n; i += 4, a += 4, b += 4, out += 4) {
        const mve_pred16_t q = vctp32q((uint32_t)(n - i));
        const int32x4_t x1 = tinycc_mve_mbqm(vshlq_r_s32(vsubq_n_s32(vldrbq_z_s32(a, q), p->in1_zp), ls),
                                             p->in1_mult, l1, r1, n1);
        const int32x4_t x2 = tinycc_mve_mbqm(vshlq_r_s32(vsubq_n_s32(vldrbq_z_s32(b, q), p->in2_zp), ls),
                                             p->in2_mult, l2, r2, n2);
        int32x4_t y = tinycc_mve_mbqm(sign > 0 ? vaddq_s32(x1, x2) : vsubq_s32(x1, x2), p->out_mult, lo, ro, no);
        y = vaddq_n_s32(y, p->out_zp);
        y = vminq_s32(vmaxq_s32(y, vdupq_n_s32(p->act_min)), vdupq_n_s32(p->act_max));
        vstrbq_p_s32(out, y, q);
    }
    return 1;
}

static inline int tinycc_mve_addsub_s16(int32_t n, const tinycc_bcast *s, const int16_t *a, const int16_t *b,
                                        int16_t *out, const tinycc_addsub_params *p, int sign) {
    (void)n, (void)s, (void)a, (void)b, (void)out, (void)p, (void)sign;
    return 0;   /* the scalar loop */
}
#endif

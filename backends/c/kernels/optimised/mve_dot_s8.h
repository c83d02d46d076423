/* Helium (MVE) int8 dot products for dot_s8.h's entry points, on a core whose compiler defines
 * __ARM_FEATURE_MVE with its integer bit (Cortex-M55/M85; an optimising build: -O0 takes the plain
 * paths). 16 bytes a beat-wise VMLADAVA (int8 x int8 summed across the vector into a 32-bit
 * accumulator); the last partial vector is tail-predicated (VCTP: its inactive lanes neither load
 * nor add), so any length, odd ones included, takes no scalar remainder loop and never reads past
 * the end. int32 sums in any order are TF Lite Micro's exactly. */
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && defined(__OPTIMIZE__) && !defined(TINYCC_NO_ASM)
#include <arm_mve.h>
#define TINYCC_MVE 1

/* acc + sum f[i] * x[i], i < n */
static inline int32_t tinycc_mve_dot_s8(const int8_t *f, const int8_t *x, int n, int32_t acc) {
    for (; n > 0; n -= 16, f += 16, x += 16) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        acc = vmladavaq_p_s8(acc, vldrbq_z_s8(f, p), vldrbq_z_s8(x, p), p);
    }
    return acc;
}

/* acc + sum f[i], i < n */
static inline int32_t tinycc_mve_sum_s8(const int8_t *f, int n, int32_t acc) {
    for (; n > 0; n -= 16, f += 16) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        acc = vaddvaq_p_s8(acc, vldrbq_z_s8(f, p), p);
    }
    return acc;
}

/* two inputs x0, x1 against two filters f0, f1 (dot_s8.h's tinycc_dot_s8_2x2 order) */
static inline void tinycc_mve_dot_s8_2x2(const int8_t *f0, const int8_t *f1, const int8_t *x0, const int8_t *x1,
                                         int n, int32_t *acc) {
    int32_t a00 = acc[0], a10 = acc[1], a01 = acc[2], a11 = acc[3];
    for (; n > 0; n -= 16, f0 += 16, f1 += 16, x0 += 16, x1 += 16) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        const int8x16_t xa = vldrbq_z_s8(x0, p), xb = vldrbq_z_s8(x1, p);
        const int8x16_t fa = vldrbq_z_s8(f0, p), fb = vldrbq_z_s8(f1, p);
        a00 = vmladavaq_p_s8(a00, fa, xa, p);
        a10 = vmladavaq_p_s8(a10, fb, xa, p);
        a01 = vmladavaq_p_s8(a01, fa, xb, p);
        a11 = vmladavaq_p_s8(a11, fb, xb, p);
    }
    acc[0] = a00;
    acc[1] = a10;
    acc[2] = a01;
    acc[3] = a11;
}

/* one input x against two filters f0, f1 */
static inline void tinycc_mve_dot_s8_1x2(const int8_t *f0, const int8_t *f1, const int8_t *x, int n, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1];
    for (; n > 0; n -= 16, f0 += 16, f1 += 16, x += 16) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        const int8x16_t xa = vldrbq_z_s8(x, p);
        a0 = vmladavaq_p_s8(a0, vldrbq_z_s8(f0, p), xa, p);
        a1 = vmladavaq_p_s8(a1, vldrbq_z_s8(f1, p), xa, p);
    }
    acc[0] = a0;
    acc[1] = a1;
}
#endif

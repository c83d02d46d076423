/* Fast int8 ADD / SUB of same-shape inputs (no broadcast; needs dot_s8.h, elementwise.h): TF Lite
 * Micro's exact arithmetic (integer_ops/add.h: each input (x - zp) << 20 through
 * MultiplyByQuantizedMultiplierSmallerThanOneExp, the sum through another, + out_zp, clamped) in
 * fewer instructions. The emitter (ops/_addsub_fast.py) takes this path only when every identity
 * below holds for the layer's constants; otherwise the reference tinycc_addsub_s8 runs.
 *  - SaturatingRoundingDoublingHighMul(v, M) = (v * M + 2^30) >> 31 = (2v * M + 2^31) >> 32, the
 *    rounding high word of SMMULR, when 2v fits int32 (|v| < 2^30: true for (x - zp) << 20, and for
 *    a sum of two rescaled inputs, each below 2^28 in magnitude);
 *  - RoundingDivideByPOT(y, e) (e >= 1, half away from zero) = (y + 2^(e-1) - (y < 0)) >> e, and with
 *    M >= 0 the sign of y may be read from v (v < 0 gives y <= 0, and y = 0 with the -1 still gives
 *    0); the rounding constant rides in SMMLAR's accumulator: (SMMLAR(2v, M, 2^(e-1)) + (v >> 31)) >> e;
 *    the output zero point is added before the shift as zp * 2^e in that same constant;
 *  - a multiplier of exactly 1/2 (M = 2^30, e = 0: the input with the larger scale) is exact:
 *    (x - zp) << 19, one multiply-add; in the form above it is v = (x - zp) << 22 with M = 2^30, e = 1.
 * Each input is described by (k, z, M, r, e): v = x * k + z with k = 2^21 (2^22 for an exact 1/2 in
 * the general form) and z = -zp * k, r = 2^(e-1); a second input rescaled by exactly 1/2 may instead
 * be marked M = 0 with k = 2^19: its value is then v itself. */
typedef struct {
    int32_t k1, z1, m1, r1, e1;
    int32_t k2, z2, m2, r2, e2;
    int32_t sign, mo, ho, eo, act_min, act_max;
} tinycc_addsub_fast_params;

static inline int32_t tinycc_smmlar(int32_t a, int32_t b, int32_t acc) {
#ifdef TINYCC_DSP
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
#else
    return tinycc_wadd(acc, (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32));
#endif
}

/* (x - zp) << 20 rescaled by (M, -e), exact as MultiplyByQuantizedMultiplierSmallerThanOneExp */
#define TINYCC_ADDF_IN(X, K, Z, M, R, E) \
    ((tinycc_smmlar((X) * (K) + (Z), (M), (R)) + (((X) * (K) + (Z)) >> 31)) >> (E))
/* the rescaled sum to int8: SSAT covers the full int8 range; CLAMP also an activation range inside it */
#ifdef TINYCC_DSP
#define TINYCC_ADDF_SAT(Y) __ssat((Y), 8)
#else
#define TINYCC_ADDF_SAT(Y) tinycc_clamp((Y), -128, 127)
#endif
#define TINYCC_ADDF_ONE(I, X2, CLAMP)                                                               \
    {                                                                                               \
        const int32_t a_ = a[I], b_ = b[I];                                                         \
        const int32_t raw_ = TINYCC_ADDF_IN(a_, k1, z1, m1, r1, e1) + sign * (X2);                  \
        int32_t y_ = (tinycc_smmlar(raw_ * 2, mo, ho) + (raw_ >> 31)) >> eo;                        \
        y_ = TINYCC_ADDF_SAT(y_);                                                                   \
        out[I] = (int8_t)(CLAMP ? tinycc_clamp(y_, lo, hi) : y_);                                   \
    }
/* four elements a pass (one taken branch per four), each read before it is written */
#define TINYCC_ADDF_LOOP(X2, CLAMP)                                                                 \
    for (i = 0; i < (n & 3); ++i) TINYCC_ADDF_ONE(i, X2, CLAMP)                                     \
    for (; i < n; i += 4) {                                                                         \
        TINYCC_ADDF_ONE(i, X2, CLAMP)                                                               \
        TINYCC_ADDF_ONE(i + 1, X2, CLAMP)                                                           \
        TINYCC_ADDF_ONE(i + 2, X2, CLAMP)                                                           \
        TINYCC_ADDF_ONE(i + 3, X2, CLAMP)                                                           \
    }

#ifdef TINYCC_MVE
/* Helium (TINYCC_MVE from mve_dot_s8.h): four elements a vector in int32 lanes, the same identities.
 * Each v = x * k + z is even (k >= 2^19, z = -zp * k), so SMMULR(v, M) = (v * M + 2^31) >> 32 is
 * VQRDMULH(h, M) for h = v / 2 = x * (k / 2) + z / 2 (one VMLAS; no saturation: M > 0), h with v's
 * sign; (y + r) >> e with r = 2^(e-1) (every r of the struct) is VRSHL by -e; the output's
 * (y + 2^(eo-1) + zp * 2^eo) >> eo the same plus zp after the shift; SSAT to int8 and the activation
 * range one clamp (-128 <= lo <= hi <= 127). A vector's elements are read before its stores (out may
 * be a or b); the last 1 to 3 elements a predicated vector. */
static inline int32x4_t tinycc_addf_mve_in(int32x4_t h, int32_t m, int32_t e) {
    return vrshlq_n_s32(vaddq_s32(vqrdmulhq_n_s32(h, m), vshrq_n_s32(h, 31)), -e);
}

#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void tinycc_addsub_s8_fast_mve(int32_t n, const int8_t *a, const int8_t *b, int8_t *out,
                                             const tinycc_addsub_fast_params *p) {
    const int32_t z1 = p->z1 / 2, m1 = p->m1, e1 = p->e1, m2 = p->m2, e2 = p->e2, sign = p->sign;
    const int32_t z2 = m2 == 0 ? p->z2 : p->z2 / 2, mo = p->mo, eo = p->eo;
    const int32_t zo = (p->ho >> (eo - 1)) >> 1;                  /* ho = (2 zp + 1) * 2^(eo-1) */
    const int32x4_t k1 = vdupq_n_s32(p->k1 / 2), k2 = vdupq_n_s32(m2 == 0 ? p->k2 : p->k2 / 2);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
#define TINYCC_ADDF_MVE(XA, XB)                                                                     \
    const int32x4_t x1 = tinycc_addf_mve_in(vmlasq_n_s32((XA), k1, z1), m1, e1);                   \
    const int32x4_t h2 = vmlasq_n_s32((XB), k2, z2);                                                \
    const int32x4_t x2 = m2 == 0 ? h2 : tinycc_addf_mve_in(h2, m2, e2);                             \
    const int32x4_t raw = sign > 0 ? vaddq_s32(x1, x2) : vsubq_s32(x1, x2);                         \
    const int32x4_t y = vminq_s32(vmaxq_s32(vaddq_n_s32(tinycc_addf_mve_in(raw, mo, eo), zo), lo), hi);
    for (; n >= 4; n -= 4, a += 4, b += 4, out += 4) {
        TINYCC_ADDF_MVE(vldrbq_s32(a), vldrbq_s32(b))
        vstrbq_s32(out, y);
    }
    if (n > 0) {                  /* the last 1 to 3 elements */
        const mve_pred16_t q = vctp32q((uint32_t)n);
        TINYCC_ADDF_MVE(vldrbq_z_s32(a, q), vldrbq_z_s32(b, q))
        vstrbq_p_s32(out, y, q);
    }
#undef TINYCC_ADDF_MVE
}
#endif

/* out[i] = a[i] +- b[i] (p->sign); out may be a or b (each element is read before it is written).
 * Every constant is read once into a local (a byte store may alias the struct). An input rescaled
 * by exactly 1/2 (M = 0 in the struct) is only ever the second: (x - zp) * 2^19. The emitter calls
 * it from a small function the layers of one loop shape share (not inlined into the model's invoke
 * function, whose registers the code around the call holds), its struct built there: the constants
 * common to those layers fold in, one of the four loops remains; the others are read once from the
 * layer's own small array. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void tinycc_addsub_s8_fast(int32_t n, const int8_t *a, const int8_t *b, int8_t *out,
                                         const tinycc_addsub_fast_params *p) {
#ifdef TINYCC_MVE
    tinycc_addsub_s8_fast_mve(n, a, b, out, p);
#else
    int32_t i;
    const int32_t k1 = p->k1, z1 = p->z1, m1 = p->m1, r1 = p->r1, e1 = p->e1;
    const int32_t k2 = p->k2, z2 = p->z2, m2 = p->m2, r2 = p->r2, e2 = p->e2, sign = p->sign;
    const int32_t mo = p->mo, ho = p->ho, eo = p->eo, lo = p->act_min, hi = p->act_max;
    const int full = lo == -128 && hi == 127;
    if (m2 == 0 && full) {
        TINYCC_ADDF_LOOP(b_ * k2 + z2, 0)
    } else if (m2 == 0) {
        TINYCC_ADDF_LOOP(b_ * k2 + z2, 1)
    } else if (full) {
        TINYCC_ADDF_LOOP(TINYCC_ADDF_IN(b_, k2, z2, m2, r2, e2), 0)
    } else {
        TINYCC_ADDF_LOOP(TINYCC_ADDF_IN(b_, k2, z2, m2, r2, e2), 1)
    }
#endif
}
#undef TINYCC_ADDF_LOOP
#undef TINYCC_ADDF_ONE
#undef TINYCC_ADDF_SAT
#undef TINYCC_ADDF_IN

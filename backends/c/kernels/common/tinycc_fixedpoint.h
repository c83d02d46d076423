/* tinycc fixed-point arithmetic: the integer rescaling of TF Lite Micro's reference kernels
 * (gemmlowp-style double rounding). Mirrors tinycc.core.fixedpoint bit for bit. */
static inline int32_t tinycc_srdhm(int32_t a, int32_t b) {
    /* gemmlowp: (ab + (ab >= 0 ? 2^30 : 1 - 2^30)) / 2^31, truncating; for ab < 0 that is
     * ceil((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31), so one rounding add and an
     * arithmetic shift give the same value for every ab (SMLAL + shift on a Cortex-M) */
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

static inline int32_t tinycc_rdbpot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier(int32): left shift (wrapping like the reference), SRDHM, RDBPOT. */
static inline int32_t tinycc_mbqm(int32_t x, int32_t multiplier, int shift) {
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return tinycc_rdbpot(tinycc_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

/* channel c's shift: shift[c], or with `shift` NULL the right shift in the low 5 bits of its multiplier word,
 * the word itself the multiplier (backends/c/requant.py's packed_multipliers: exact for every reachable sum) */
#define TINYCC_SHIFT_AT(mult, shift, c) ((shift) ? (int)(shift)[c] : -(int)((mult)[c] & 31))

/* MultiplyByQuantizedMultiplier(int64) of the 16x8 kernels: one rounding with a 16-bit multiplier. */
static inline int32_t tinycc_mbqm64(int64_t x, int32_t multiplier, int shift) {
    const int64_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    const int total_shift = 15 - shift;
    const int64_t round = (int64_t)1 << (total_shift - 1);
    return (int32_t)((x * reduced + round) >> total_shift);
}

/* a + b and a - b wrapping in int32, as TFLM's int32 adds do on every target (a bias near INT32_MAX,
 * a zero point added to a saturated rescale): defined here, where a signed overflow would not be */
static inline int32_t tinycc_wadd(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t tinycc_wsub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t tinycc_clamp(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

static inline float tinycc_clampf(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

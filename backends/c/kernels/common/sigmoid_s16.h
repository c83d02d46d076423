/* TF Lite Micro's int16 sigmoid and tanh (reference_integer_ops::Logistic / Tanh on int16), shared by
 * LOGISTIC, TANH and the integer LSTM's gates: the input times `mult`, a rounding arithmetic right shift by
 * `shift` (0..31), then linear interpolation in TFLM's sigmoid_table_uint16 (sigmoid(i / 24) in 0.16, 256
 * entries), which the emitter writes once per model as a constant int16 array biased by -32768 (`tab`).
 * The callers keep x * mult + 2^(shift - 1) inside int32 (int16 inputs, mult <= 32767). */
static inline int32_t tinycc_floor_shift(int32_t v, int s) {
    return v >= 0 ? (v >> s) : -(int32_t)((((uint32_t)-(v + 1)) >> s) + 1u);
}

static inline int32_t tinycc_sigmoid_pos(int32_t x, int32_t mult, int shift) {
    return tinycc_floor_shift(x * mult + (shift > 0 ? (int32_t)1 << (shift - 1) : 0), shift);
}

static inline int16_t tinycc_sigmoid_s16(int32_t x, int32_t mult, int shift, const int16_t *tab) {
    const int32_t v = tinycc_sigmoid_pos(x, mult, shift);
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t uh = a >> 9;
    uint32_t r;
    if (uh >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t ua = (uint32_t)(tab[uh] + 32768), ub = (uint32_t)(tab[uh + 1] + 32768);
        r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
    }
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

static inline int16_t tinycc_tanh_s16(int32_t x, int32_t mult, int shift, const int16_t *tab) {
    const int32_t v = tinycc_sigmoid_pos(x, mult, shift);
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t uh = a >> 8;
    int32_t r;
    if (uh >= 255u) {
        r = 0xFFFF << 8;
    } else {
        const uint32_t ua = (uint32_t)(tab[uh] + 32768), ub = (uint32_t)(tab[uh + 1] + 32768);
        r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)tinycc_floor_shift(r, 8);
}

/* LOGISTIC / TANH over n int16 elements (in place allowed: each element is read before it is written). */
static inline void tinycc_logistic_s16_n(int32_t n, const int16_t *x, int16_t *y, int32_t mult, int shift,
                                         const int16_t *tab) {
    int32_t i;
    for (i = 0; i < n; ++i) y[i] = tinycc_sigmoid_s16(x[i], mult, shift, tab);
}

static inline void tinycc_tanh_s16_n(int32_t n, const int16_t *x, int16_t *y, int32_t mult, int shift,
                                     const int16_t *tab) {
    int32_t i;
    for (i = 0; i < n; ++i) y[i] = tinycc_tanh_s16(x[i], mult, shift, tab);
}

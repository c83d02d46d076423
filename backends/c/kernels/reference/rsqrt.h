/* RSQRT of quantised int16 (TFLM's RsqrtEvalQuantized, zero points 0; int8 is a table): for
   v = x - zp > 0, 1/sqrt(v) as GetInvSqrtQuantizedMultiplierExp's fixed-point Newton-Raphson,
   applied to 1 with 20 extra bits, rescaled back; v <= 0 gives 32767. Mirrors core/ops/rsqrt.py. */
static inline int32_t tinycc_rsqrt_srmpot(int32_t x, int exponent) {   /* saturating x * 2^exponent, exponent > 0 */
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

static inline void tinycc_inv_sqrt_exp(int32_t input, int32_t *multiplier, int *shift) {
    int32_t x = 1 << 28, half_input;       /* F3 1.0 */
    int s = 11, bits = 0, pairs, k;
    uint32_t t;
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    while (input >= (1 << 29)) {
        input /= 4;
        ++s;
    }
    for (t = (uint32_t)input; t != 0; t >>= 1) {
        ++bits;
    }
    pairs = (32 - bits - 1) / 2 - 1;
    s -= pairs;
    input = (int32_t)((uint32_t)input << (2 * pairs));
    half_input = tinycc_rdbpot(input >> 1, 1);
    for (k = 0; k < 5; ++k) {
        const int32_t x3 = tinycc_rsqrt_srmpot(tinycc_srdhm(tinycc_srdhm(x, x), x), 6);
        x = tinycc_rsqrt_srmpot(tinycc_wsub(tinycc_srdhm((1 << 28) + (1 << 27), x), tinycc_srdhm(half_input, x3)), 3);
    }
    x = tinycc_srdhm(x, 1518500250);       /* x sqrt(2) / 2 */
    if (s < 0) {
        x = (int32_t)((uint32_t)x << -s);
        s = 0;
    }
    *multiplier = x;
    *shift = -s;
}

static inline void tinycc_rsqrt_s16(int32_t n, const int16_t *x, int16_t *y, int32_t in_zp, int32_t multiplier,
                                    int shift, int32_t out_zp) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v = (int32_t)x[i] - in_zp;
        int32_t m, data;
        int s;
        if (v <= 0) {
            y[i] = 32767;
            continue;
        }
        tinycc_inv_sqrt_exp(v, &m, &s);
        data = tinycc_mbqm(1, m, s + 20);
        y[i] = (int16_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm(data, multiplier, shift - 20), out_zp), -32768, 32767);
    }
}

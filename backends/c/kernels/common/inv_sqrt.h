/* TFLM's GetInvSqrtQuantizedMultiplierExp (after sat_shl.h): 1 / sqrt(input) for input > 1 as a Q0.31
 * multiplier and a left shift (<= 0), by five gemmlowp Newton-Raphson steps in Q3.28; input <= 1 gives
 * (INT32_MAX, 0). Used by l2norm.h and rsqrt.h; mirrors core/fixedpoint.py inv_sqrt_multiplier_exp. */
static inline void tinycc_inv_sqrt_exp(int32_t input, int32_t *multiplier, int *left_shift) {
    int32_t x = 1 << 28, half_input;       /* F3 1.0 */
    int s = 11, bits = 0, pairs, k;
    uint32_t t;
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *left_shift = 0;
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
        const int32_t x3 = tinycc_sat_shl(tinycc_srdhm(tinycc_srdhm(x, x), x), 6);
        x = tinycc_sat_shl(tinycc_wsub(tinycc_srdhm((1 << 28) + (1 << 27), x), tinycc_srdhm(half_input, x3)), 3);
    }
    x = tinycc_srdhm(x, 1518500250);       /* x sqrt(2) / 2 */
    if (s < 0) {
        x = (int32_t)((uint32_t)x << -s);
        s = 0;
    }
    *multiplier = x;
    *left_shift = -s;
}

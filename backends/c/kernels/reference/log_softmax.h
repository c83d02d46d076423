/* LOG_SOFTMAX int8 (TFLM's LogSoftmaxQuantized), after sat_shl.h and softmax.h (tinycc_sat_shl,
 * tinycc_one_over_one_plus_x, tinycc_clz32). Per row: the Q12 sum of exp(diff) from a table of
 * every int8 difference (made at compile time by tinycc's reference, zero below diff_min), its
 * fixed-point log in Q5, then each difference's Q5 value (a second table) minus the log, back to
 * int8 with zero point 127. */

static inline int32_t tinycc_lsm_sat_pot(int32_t x, int exponent) {
    return exponent == 0 ? x : tinycc_sat_shl(x, exponent);
}

static inline int32_t tinycc_lsm_sat_add(int32_t a, int32_t b) {
    const int64_t s = (int64_t)a + b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

/* log_x_for_x_greater_than_or_equal_to_1<5>(Q12 raw) -> Q5 raw (TFLite's common.h). */
static inline int32_t tinycc_log_q12_to_q5(int32_t z_a) {
    const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301, sqrt_half = 1518500250;
    const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769, alpha_f = 638450708;
    const int32_t shifted_quarter = tinycc_rdbpot(536870912, 6);
    const int z_a_headroom_plus_1 = tinycc_clz32((uint32_t)z_a);
    const int32_t r_a_tmp = tinycc_lsm_sat_pot(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = tinycc_lsm_sat_pot(tinycc_srdhm(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj = tinycc_lsm_sat_add(tinycc_lsm_sat_pot(12 - z_a_headroom_plus_1, 25), shifted_quarter);
    const int32_t z_b = tinycc_srdhm(z_a, sqrt_half);
    const int z_b_headroom = tinycc_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = tinycc_lsm_sat_pot(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj = tinycc_lsm_sat_add(tinycc_lsm_sat_pot(12 - z_b_headroom, 25), -shifted_quarter);
    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
    const int64_t half_sum = (int64_t)r + sqrt_sqrt_half;
    const int32_t p = (int32_t)((half_sum + (half_sum >= 0 ? 1 : -1)) / 2);
    const int32_t q0 = tinycc_wsub(r, sqrt_sqrt_half), q = tinycc_wadd(q0, q0);
    const int32_t common_sq = tinycc_srdhm(q, q);
    const int32_t num = tinycc_wadd(tinycc_srdhm(q, r), tinycc_srdhm(tinycc_srdhm(q, common_sq), alpha_n));
    const int32_t denom_minus_one_0 = tinycc_wadd(
        tinycc_srdhm(p, tinycc_wadd(tinycc_wadd(alpha_i, q), tinycc_srdhm(alpha_d, common_sq))),
        tinycc_srdhm(alpha_f, q));
    const int32_t recip_denom = tinycc_one_over_one_plus_x(denom_minus_one_0);
    const int32_t num_scaled = tinycc_rdbpot(num, 6);
    return tinycc_sat_shl(tinycc_wadd(tinycc_srdhm(z_pow_2_adj, log_2), tinycc_srdhm(num_scaled, recip_denom)), 1);
}

static inline void tinycc_log_softmax_s8(const int8_t *x, int8_t *y, int32_t rows, int32_t depth,
                                         const int32_t *exp_q12, const int32_t *q5, int32_t diff_min,
                                         int32_t rev_mult, int rev_shift) {
    int32_t r, c;
    for (r = 0; r < rows; ++r) {
        const int8_t *row = x + (long)r * depth;
        int8_t *out = y + (long)r * depth;
        int32_t top = -128, sum = 0, log_q5, floor_diff, scaled_min;
        for (c = 0; c < depth; ++c) if (row[c] > top) top = row[c];
        for (c = 0; c < depth; ++c) sum = tinycc_wadd(sum, exp_q12[top - row[c]]);
        log_q5 = tinycc_log_q12_to_q5(sum);
        scaled_min = tinycc_mbqm(tinycc_wadd(log_q5, INT32_MIN), rev_mult, rev_shift);
        floor_diff = diff_min - 1 > scaled_min ? diff_min - 1 : scaled_min;
        for (c = 0; c < depth; ++c) {
            const int32_t diff = row[c] - top;
            out[c] = diff > floor_diff
                   ? (int8_t)tinycc_clamp(tinycc_rdbpot(tinycc_wsub(q5[-diff], log_q5), 22) + 127, -128, 127)
                   : (int8_t)-128;
        }
    }
}

/* int8 ADD_N as TFLM's reference AddN: every input shares in_off (-zero point); each x + in_off is
 * shifted left by 20 and rescaled (shift <= 0), the sum (in int32, wrapping) starts from the rescaled
 * in_off itself as TFLM's does, then the output rescale, + out_zp, clamp to int8. */
static inline void tinycc_add_n_s8(int32_t n, int32_t count, const int8_t *const *ins, int8_t *out,
                                   int32_t in_off, int32_t in_mult, int32_t in_shift, int32_t out_mult,
                                   int32_t out_shift, int32_t out_zp) {
    const int32_t start = tinycc_mbqm((int32_t)((uint32_t)in_off << 20), in_mult, in_shift);
    int32_t i, k;
    for (i = 0; i < n; ++i) {
        int32_t acc = start;
        for (k = 0; k < count; ++k)
            acc = tinycc_wadd(acc, tinycc_mbqm((int32_t)((uint32_t)((int32_t)ins[k][i] + in_off) << 20), in_mult,
                                               in_shift));
        out[i] = (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm(acc, out_mult, out_shift), out_zp), -128, 127);
    }
}

/* RSQRT of quantised int16 (TFLM's RsqrtEvalQuantized, zero points 0; int8 is a table): for
   v = x - zp > 0, 1/sqrt(v) as GetInvSqrtQuantizedMultiplierExp's fixed-point Newton-Raphson,
   applied to 1 with 20 extra bits (common/inv_sqrt.h, after sat_shl.h), rescaled back; v <= 0 gives
   32767. Mirrors core/ops/rsqrt.py. */
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

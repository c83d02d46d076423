/* FULLY_CONNECTED with LUT-compressed int8 weights (weights zero point 0): reference/fully_connected.h's
   int8 loop, each weight decoded from its index and its unit's table in the multiply-accumulate (after
   weights_lut.h). */
static inline void tinycc_fully_connected_lut(int rows, int units, int depth, const int8_t *in, const uint8_t *w,
                                             const int8_t *tables, int bits, long chstride,
                                             const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                             const int32_t *mult, const int8_t *shift, int per_channel,
                                             int32_t act_min, int32_t act_max) {
    int r, u;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        const int q = per_channel ? u : 0;
        const long row = (long)u * depth;
        uint32_t acc;           /* wraps like TFLM's int32 sum (a bias near INT32_MAX) */
        int32_t v;
        acc = tinycc_lut_dot(w, tables + u * chstride, bits, row, depth, in + r * depth, in_zp);
        if (bias) acc += (uint32_t)bias[u];
        v = tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[q], shift[q]), out_zp);
        out[r * units + u] = (int8_t)tinycc_clamp(v, act_min, act_max);
    }
}

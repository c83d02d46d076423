/* FULLY_CONNECTED with LUT-compressed int8 weights (weights zero point 0), faster (after dot_s8.h,
   weights_lut_fast.h): each unit's weights decoded into a stack buffer TINYCC_LUT_ROW_BYTES at a time,
   then dot products (weights_lut_fast.h's tinycc_lutf_dot) for every row of the input; the int32 sum
   wraps like TFLM's. */
static inline void tinycc_fully_connected_lut_fast(int rows, int units, int depth, const int8_t *in,
                                                  const uint8_t *w, const int8_t *tables, int bits, long chstride,
                                                  const int32_t *bias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                                  const int32_t *mult, const int8_t *shift, int per_channel,
                                                  int32_t act_min, int32_t act_max) {
    int8_t f[TINYCC_LUT_ROW_BYTES];
    int r, u, c;
    for (u = 0; u < units; ++u) {
        const int q = per_channel ? u : 0;
        const int8_t *table = tables + u * chstride;
        const long at = (long)u * depth;
        const int whole = depth <= TINYCC_LUT_ROW_BYTES;     /* decoded once for every row */
        if (whole) tinycc_lut_decode(w, table, bits, at, depth, f);
        for (r = 0; r < rows; ++r) {
            const int8_t *x = in + (long)r * depth;
            uint32_t acc = bias ? (uint32_t)bias[u] : 0u;
            if (whole) {
                acc += tinycc_lutf_dot(f, x, depth, in_zp);
            } else {
                for (c = 0; c < depth; c += TINYCC_LUT_ROW_BYTES) {
                    const int n = depth - c < TINYCC_LUT_ROW_BYTES ? depth - c : TINYCC_LUT_ROW_BYTES;
                    tinycc_lut_decode(w, table, bits, at + c, n, f);
                    acc += tinycc_lutf_dot(f, x + c, n, in_zp);
                }
            }
            out[(long)r * units + u] = (int8_t)tinycc_clamp(
                tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[q], shift[q]), out_zp), act_min, act_max);
        }
    }
}

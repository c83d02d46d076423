/* FULLY_CONNECTED kernels: rows x (units, depth) weights; multiplier per tensor or per unit. */
static inline void tinycc_fully_connected_s16(int rows, int units, int depth, const int16_t *in, const int8_t *w,
                                              const int64_t *bias, int16_t *out, int32_t w_zp, int32_t out_zp,
                                              const int32_t *mult, const int8_t *shift, int per_channel,
                                              int32_t act_min, int32_t act_max) {
    int r, u, d;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        const int q = per_channel ? u : 0;
        int64_t acc = 0;
        int32_t v;
        for (d = 0; d < depth; ++d) acc += ((int64_t)w[u * depth + d] - w_zp) * in[r * depth + d];
        if (bias) acc += bias[u];
        v = tinycc_wadd(tinycc_mbqm64(acc, mult[q], shift[q]), out_zp);
        out[r * units + u] = (int16_t)tinycc_clamp(v, act_min, act_max);
    }
}

static inline void tinycc_fully_connected_f32(int rows, int units, int depth, const float *in, const float *w,
                                              const float *bias, float *out, float act_min, float act_max) {
    int r, u, d;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        float acc = 0.0f;
        for (d = 0; d < depth; ++d) acc += w[u * depth + d] * in[r * depth + d];
        if (bias) acc += bias[u];
        out[r * units + u] = tinycc_clampf(acc, act_min, act_max);
    }
}


/* L2_POOL_2D float32 (TFLM's reference_ops::L2Pool) over pooling.h's tinycc_pool_shape: per
 * window, sqrt(sum of the in-bounds squares / their count), clamped to the activation range. */
static inline void tinycc_l2_pool_2d_f32(const tinycc_pool_shape *s, const float *in, float *out,
                                         float act_min, float act_max) {
    int b, oy, ox, ch, ky, kx;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox) {
        TINYCC_POOL_WINDOW
        for (ch = 0; ch < s->c; ++ch) {
            float total = 0.0f;
            int count = 0;
            for (ky = ky0; ky < ky1; ++ky)
                for (kx = kx0; kx < kx1; ++kx) {
                    const float v = in[((b * s->h + y0 + ky) * s->w + x0 + kx) * s->c + ch];
                    total += v * v;
                    ++count;
                }
            out[((b * s->oh + oy) * s->ow + ox) * s->c + ch] =
                tinycc_clampf(sqrtf(total / (float)(count ? count : 1)), act_min, act_max);
        }
    }
}

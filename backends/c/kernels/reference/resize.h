/* RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR kernels over NHWC tensors. The per-axis source
 * indices (and, for bilinear, the interpolation fractions) are tables made at compile time from
 * TFLM's float32 / 10-bit fixed-point arithmetic, so the kernels only gather and blend. */

/* Nearest neighbour: output (b, y, x) is input (b, ys[y], xs[x]); one pixel is depth elements of
 * elem bytes, copied whole. */
static inline void tinycc_resize_nearest(const int8_t *x, int8_t *y, int32_t batches, int32_t in_h, int32_t in_w,
                                         int32_t out_h, int32_t out_w, int32_t pixel_bytes,
                                         const int32_t *ys, const int32_t *xs) {
    int32_t b, i, j;
    for (b = 0; b < batches; ++b) {
        const int8_t *src = x + (long)b * in_h * in_w * pixel_bytes;
        for (i = 0; i < out_h; ++i) {
            const int8_t *row = src + (long)ys[i] * in_w * pixel_bytes;
            for (j = 0; j < out_w; ++j) {
                tinycc_copy_bytes(y, row + (long)xs[j] * pixel_bytes, pixel_bytes);
                y += pixel_bytes;
            }
        }
    }
}

/* Bilinear, int8 (TFLM's ResizeBilinearInteger): rows y0[i], y1[i] and columns x0[j], x1[j] with
 * 10-bit fractions dy[i], dx[j] (in [-512, 1024): negative only where the lower index was clamped
 * to 0, and then y0 == y1). The four weights of a pixel sum to 2^20 and their magnitudes to at
 * most 2048^2, so with |input| <= 128 the int32 sum stays below 2^30 (TFLM's int64 sum, exactly).
 * Divided by 2^20 rounding half away from zero (TFLM's double-rounding build). */
static inline void tinycc_resize_bilinear_s8(const int8_t *x, int8_t *y, int32_t batches, int32_t in_h, int32_t in_w,
                                             int32_t out_h, int32_t out_w, int32_t depth,
                                             const int32_t *y0, const int32_t *y1, const int32_t *dy,
                                             const int32_t *x0, const int32_t *x1, const int32_t *dx) {
    int32_t b, i, j, c;
    for (b = 0; b < batches; ++b) {
        const int8_t *src = x + (long)b * in_h * in_w * depth;
        for (i = 0; i < out_h; ++i) {
            const int8_t *r0 = src + (long)y0[i] * in_w * depth, *r1 = src + (long)y1[i] * in_w * depth;
            const int32_t wy1 = dy[i], wy0 = 1024 - dy[i];
            for (j = 0; j < out_w; ++j) {
                const int32_t wx1 = dx[j], wx0 = 1024 - dx[j];
                const int32_t w00 = wy0 * wx0, w10 = wy1 * wx0, w01 = wy0 * wx1, w11 = wy1 * wx1;
                const int8_t *p00 = r0 + (long)x0[j] * depth, *p10 = r1 + (long)x0[j] * depth;
                const int8_t *p01 = r0 + (long)x1[j] * depth, *p11 = r1 + (long)x1[j] * depth;
                for (c = 0; c < depth; ++c) {
                    const int32_t acc = p00[c] * w00 + p10[c] * w10 + p01[c] * w01 + p11[c] * w11;
                    y[c] = (int8_t)((acc + (acc > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
                }
                y += depth;
            }
        }
    }
}

/* Bilinear, float32 (TFLM's ResizeBilinear): the same neighbours with float fractions, summed in
 * TFLM's order. */
static inline void tinycc_resize_bilinear_f32(const float *x, float *y, int32_t batches, int32_t in_h, int32_t in_w,
                                              int32_t out_h, int32_t out_w, int32_t depth,
                                              const int32_t *y0, const int32_t *y1, const float *dy,
                                              const int32_t *x0, const int32_t *x1, const float *dx) {
    int32_t b, i, j, c;
    for (b = 0; b < batches; ++b) {
        const float *src = x + (long)b * in_h * in_w * depth;
        for (i = 0; i < out_h; ++i) {
            const float *r0 = src + (long)y0[i] * in_w * depth, *r1 = src + (long)y1[i] * in_w * depth;
            const float fy = dy[i], gy = 1.0f - dy[i];
            for (j = 0; j < out_w; ++j) {
                const float fx = dx[j], gx = 1.0f - dx[j];
                const float *p00 = r0 + (long)x0[j] * depth, *p10 = r1 + (long)x0[j] * depth;
                const float *p01 = r0 + (long)x1[j] * depth, *p11 = r1 + (long)x1[j] * depth;
                for (c = 0; c < depth; ++c)
                    y[c] = p00[c] * gy * gx + p10[c] * fy * gx + p01[c] * gy * fx + p11[c] * fy * fx;
                y += depth;
            }
        }
    }
}

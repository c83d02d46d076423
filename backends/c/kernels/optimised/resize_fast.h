/* Fast RESIZE_NEAREST_NEIGHBOR (any dtype) and int8 RESIZE_BILINEAR over the compile-time tables of
 * reference/resize.h (needs dot_s8.h for the DSP helpers, copy.h for the word copies).
 *
 * Nearest: an output row whose source row is the previous one's (every other row of an upscale)
 * is one word copy of that output row; other rows copy their pixels as reference/resize.h does.
 *
 * Bilinear int8: the sum of TFLM's ResizeBilinearInteger is separable and exact in int32,
 *   acc = wx0 (wy0 p00 + wy1 p10) + wx1 (wy0 p01 + wy1 p11)
 * (|wy p| <= 128 * 1536, |acc| < 2^30), so each output row first blends its two input rows once
 * into `v` (in_w x depth int32, the node's scratch; SXTB16 + PKHBT/PKHTB pairs of the two rows
 * and one SMUAD against (wy0, wy1) per element on a core with the DSP extension), then every
 * output pixel is two multiplies per channel from `v` (two output columns between the same two
 * input columns, most of an upscale, share the loads). TFLM's division by 2^20 rounding half away
 * from zero is (acc + 2^19 + (acc < 0 ? -1 : 0)) >> 20: equal for every acc (no tie is treated
 * differently: acc + 2^19 - 1 >> 20 == -((2^19 - acc) >> 20) for acc < 0). */
/* the n bytes before y copied to y, sixteen a turn in words (tinycc_copy_bytes' loop; its own
 * function so the per-pixel copy below stays the one call site that inlines with a constant size) */
static inline void tinycc_resize_repeat_row(int8_t *y, long n) {
    const int8_t *src = y - n;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        uint32_t a, b, c, d;
        memcpy(&a, src + i, 4); memcpy(&b, src + i + 4, 4); memcpy(&c, src + i + 8, 4); memcpy(&d, src + i + 12, 4);
        memcpy(y + i, &a, 4); memcpy(y + i + 4, &b, 4); memcpy(y + i + 8, &c, 4); memcpy(y + i + 12, &d, 4);
    }
    for (; i < n; ++i) y[i] = src[i];
}

static inline void tinycc_resize_nearest_fast(const int8_t *x, int8_t *y, int32_t batches, int32_t in_h,
                                              int32_t in_w, int32_t out_h, int32_t out_w, int32_t pixel_bytes,
                                              const int32_t *ys, const int32_t *xs) {
    const long row_bytes = (long)out_w * pixel_bytes;
    int32_t b, i, j;
    for (b = 0; b < batches; ++b) {
        const int8_t *src = x + (long)b * in_h * in_w * pixel_bytes;
        for (i = 0; i < out_h; ++i) {
            if (i > 0 && ys[i] == ys[i - 1]) {
                tinycc_resize_repeat_row(y, row_bytes);
                y += row_bytes;
                continue;
            }
            {
                const int8_t *row = src + (long)ys[i] * in_w * pixel_bytes;
                for (j = 0; j < out_w; ++j) {
                    tinycc_copy_bytes(y, row + (long)xs[j] * pixel_bytes, pixel_bytes);
                    y += pixel_bytes;
                }
            }
        }
    }
}

/* v[k] = r0[k] * wy0 + r1[k] * wy1, k < n */
static inline void tinycc_resize_blend_rows(int32_t *v, const int8_t *r0, const int8_t *r1, long n, int32_t wy0,
                                            int32_t wy1) {
    long k = 0;
#ifdef TINYCC_DSP
    const int32_t w = (int32_t)tinycc_pk_lo((uint32_t)wy0, (uint32_t)wy1);
    for (; k + 4 <= n; k += 4) {
        const int32_t a = tinycc_ld4(r0 + k), c = tinycc_ld4(r1 + k);
        const uint32_t ae = (uint32_t)__sxtb16(a), ce = (uint32_t)__sxtb16(c);
        const uint32_t ao = (uint32_t)tinycc_sxtb16_ror8(a), co = (uint32_t)tinycc_sxtb16_ror8(c);
        v[k] = __smuad((int32_t)tinycc_pk_lo(ae, ce), w);
        v[k + 1] = __smuad((int32_t)tinycc_pk_lo(ao, co), w);
        v[k + 2] = __smuad((int32_t)tinycc_pk_hi(ae, ce), w);
        v[k + 3] = __smuad((int32_t)tinycc_pk_hi(ao, co), w);
    }
#endif
    {   /* the tails count down what is left: gcc's loop analysis (-Waggressive-loop-optimizations)
         * then sees no wrap after the word loop */
        long r;
        for (r = n - k; r > 0; --r, ++k) v[k] = r0[k] * wy0 + r1[k] * wy1;
    }
}

static inline int8_t tinycc_resize_round20(int32_t acc) {
    return (int8_t)((acc + (1 << 19) + (acc >> 31)) >> 20);
}

static inline void tinycc_resize_bilinear_s8_fast(const int8_t *x, int8_t *y, int32_t batches, int32_t in_h,
                                                  int32_t in_w, int32_t out_h, int32_t out_w, int32_t depth,
                                                  const int32_t *y0, const int32_t *y1, const int32_t *dy,
                                                  const int32_t *x0, const int32_t *x1, const int32_t *dx,
                                                  int32_t *v) {
    const long row = (long)in_w * depth;
    int32_t b, i, j, c;
    for (b = 0; b < batches; ++b) {
        const int8_t *src = x + (long)b * in_h * row;
        for (i = 0; i < out_h; ++i) {
            tinycc_resize_blend_rows(v, src + (long)y0[i] * row, src + (long)y1[i] * row, row, 1024 - dy[i], dy[i]);
            for (j = 0; j < out_w; ++j) {
                const int32_t wx1 = dx[j], wx0 = 1024 - dx[j];
                const int32_t *v0 = v + (long)x0[j] * depth, *v1 = v + (long)x1[j] * depth;
                if (j + 1 < out_w && x0[j + 1] == x0[j] && x1[j + 1] == x1[j]) {
                    /* two columns between the same neighbours (most of an upscale): v loaded once */
                    const int32_t ux1 = dx[j + 1], ux0 = 1024 - dx[j + 1];
                    int8_t *z = y + depth;
                    for (c = 0; c < depth; ++c) {
                        const int32_t a = v0[c], e = v1[c];
                        y[c] = tinycc_resize_round20(a * wx0 + e * wx1);
                        z[c] = tinycc_resize_round20(a * ux0 + e * ux1);
                    }
                    y += 2 * (long)depth;
                    ++j;
                    continue;
                }
                for (c = 0; c + 4 <= depth; c += 4) {
                    y[c] = tinycc_resize_round20(v0[c] * wx0 + v1[c] * wx1);
                    y[c + 1] = tinycc_resize_round20(v0[c + 1] * wx0 + v1[c + 1] * wx1);
                    y[c + 2] = tinycc_resize_round20(v0[c + 2] * wx0 + v1[c + 2] * wx1);
                    y[c + 3] = tinycc_resize_round20(v0[c + 3] * wx0 + v1[c + 3] * wx1);
                }
                {
                    int32_t r;
                    for (r = depth - c; r > 0; --r, ++c) y[c] = tinycc_resize_round20(v0[c] * wx0 + v1[c] * wx1);
                }
                y += depth;
            }
        }
    }
}

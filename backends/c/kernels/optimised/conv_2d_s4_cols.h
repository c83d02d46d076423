/* Fast CONV_2D with 4-bit weights (4w8a): each output pixel's input patch (kh * kw * ci taps in the
 * filter's order; in_zp where a tap falls outside the input, so that it adds nothing against the folded
 * bias; zeros up to a multiple of eight) against the filter's channels as fully_connected_s4_fast.h's
 * units (the filter re-laid as its blocks, ops/_s4_fast.py). A 1x1 filter's tap inside the input is the
 * pixel itself: no copy. Patches up to TINYCC_CONV_COLS_BYTES bytes (conv_2d_cols.h; ops/_s4_fast.py
 * checks). Needs conv_2d.h, inplace.h and fully_connected_s4_fast.h before. */

/* output row oy of image b (ow * co bytes at `row`) */
static inline void tinycc_conv_2d_s4_cols_row(const tinycc_conv_shape *s, const int8_t *in, const int32_t *w,
                                              const int32_t *kbias, int8_t *row, int b, int oy, int32_t in_zp,
                                              int32_t out_zp, const int32_t *rq, int rq_step, int mode,
                                              int32_t act_min, int32_t act_max) {
    int8_t patch[TINYCC_CONV_COLS_BYTES];
    const int ci = s->ci, k = s->kh * s->kw * ci, k8 = (k + 7) & ~7;
    int ox, ky, kx, i;
    for (i = k; i < k8; ++i) patch[i] = 0;
    for (ox = 0; ox < s->ow; ++ox) {
        const int8_t *x = patch;
        int depth = k8;
        if (s->kh == 1 && s->kw == 1) {
            const int iy = oy * s->sh - s->pad_t, ix = ox * s->sw - s->pad_l;
            if (iy >= 0 && iy < s->h && ix >= 0 && ix < s->w) {
                x = in + ((long)(b * s->h + iy) * s->w + ix) * ci;
                depth = ci;
            }
        }
        if (x == patch) {
            int8_t *p = patch;
            const int ix0 = ox * s->sw - s->pad_l, ix1 = ix0 + (s->kw - 1) * s->dw;
            for (ky = 0; ky < s->kh; ++ky) {
                const int iy = oy * s->sh - s->pad_t + ky * s->dh;
                if (s->dw == 1 && iy >= 0 && iy < s->h && ix0 >= 0 && ix1 < s->w) {     /* one run of kw taps */
                    memcpy(p, in + ((long)(b * s->h + iy) * s->w + ix0) * ci, (size_t)(s->kw * ci));
                    p += s->kw * ci;
                    continue;
                }
                for (kx = 0; kx < s->kw; ++kx, p += ci) {
                    const int ix = ix0 + kx * s->dw;
                    if (iy < 0 || iy >= s->h || ix < 0 || ix >= s->w) memset(p, (int)in_zp, (size_t)ci);
                    else memcpy(p, in + ((long)(b * s->h + iy) * s->w + ix) * ci, (size_t)ci);
                }
            }
        }
        tinycc_fc_s4_row(s->co, depth, x, w, kbias, row + (long)ox * s->co, out_zp, rq, rq_step, mode, act_min,
                         act_max);
    }
}

static inline void tinycc_conv_2d_s4_cols(const tinycc_conv_shape *s, const int8_t *in, const int32_t *w,
                                          const int32_t *kbias, int8_t *out, int32_t in_zp, int32_t out_zp,
                                          const int32_t *rq, int rq_step, int mode, int32_t act_min,
                                          int32_t act_max) {
    int b, oy;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_s4_cols_row(s, in, w, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp,
                                   out_zp, rq, rq_step, mode, act_min, act_max);
}

/* in place over a row ring (inplace.h), as tinycc_conv_2d_s4_inplace */
static inline void tinycc_conv_2d_s4_cols_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int32_t *w, const int32_t *kbias, int8_t *ring,
                                                  int32_t in_zp, int32_t out_zp, const int32_t *rq, int rq_step,
                                                  int mode, int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s4_cols_row(s, buf, w, kbias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp, rq,
                                   rq_step, mode, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* in place (kernels/inplace.h), im2col rows */
static inline void tinycc_conv_2d_s8_cols_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int32_t *wpk, int32_t *wide, int8_t *ring,
                                                  int32_t in_zp, int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    if (!TINYCC_COLS_ROWS || (TINYCC_COLS_PW && tinycc_cols_pointwise(s) && s->n == 1)) {   /* no ring */
        tinycc_conv_2d_s8_cols_pw(s, buf, wpk, buf, s->co > s->ci, wide, act_min, act_max);
        return;
    }
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s8_cols_row(s, buf, wpk, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}

/* In place (kernels/inplace.h): the output over its input `buf` (batch 1), rows through the ring.
 * A 1x1 stride-1 convolution's row is one matrix product of ow pixels. With `bias` NULL, `filter`
 * is the im2col kernel's packed filter with its folded biases and requantisation words (conv_2d.py's
 * cols_words, an int32 array; tinycc_cols_block), `kbias` NULL or arena bytes free while the node runs for a
 * pointwise node's weights widened to int16 (conv_2d.py's pww_bytes), `out_zp`, `mult` and `shift` are unused
 * and the rows are im2col rows. */
static inline void tinycc_conv_2d_s8_fast_inplace(const tinycc_conv_shape *s, const tinycc_ring_shape *r,
                                                  int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                  const int32_t *kbias, int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                  const int32_t *mult, const int8_t *shift,
                                                  int32_t act_min, int32_t act_max) {
    int ox0, step, first = tinycc_ring_start(r), count = 0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
    if (bias == NULL) {
        tinycc_conv_2d_s8_cols_inplace(s, r, buf, (const int32_t *)(const void *)filter, (int32_t *)(void *)kbias,
                                       ring, in_zp, act_min, act_max);
        return;
    }
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_conv_2d_s8_fast_row(s, buf, filter, bias, kbias, tinycc_ring_slot(r, ring, oy), 0, oy, ox0, ox1,
                                   in_zp, out_zp, mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}


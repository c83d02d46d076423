/* tinycc_depthwise_conv_2d_s8_fast with every row through tinycc_dw_s8_wrow on a DSP core (the emitter
 * calls it for pf shapes with rq 1, co a multiple of 4, 8 or more output columns and (ow - 1) * sw + 3 <=
 * TINYCC_DW_WROW_COLS: VWW's 6-wide rows were 2% slower, 12 to 48 wide 7-23% faster); else the fast rows */
static __attribute__((noinline, unused)) void
tinycc_depthwise_conv_2d_s8_wrow(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter, const int32_t *bias,
                                 const int32_t *kbias, int8_t *out, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                 const int32_t *shift, int32_t act_min, int32_t act_max) {
#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)   /* MVE: the fast rows (mve_depthwise.h) */
    int b, oy;
    (void)bias, (void)mult, (void)shift;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_dw_s8_wrow(s, in, filter, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp, out_zp,
                          act_min, act_max);
#else
    tinycc_depthwise_conv_2d_s8_fast(s, in, filter, bias, kbias, out, in_zp, out_zp, mult, shift, act_min, act_max);
#endif
}

/* in place, as tinycc_depthwise_conv_2d_s8_fast_inplace (rows as tinycc_depthwise_conv_2d_s8_wrow) */
static __attribute__((noinline, unused)) void
tinycc_depthwise_conv_2d_s8_wrow_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r, int8_t *buf,
                                         const int8_t *filter, const int32_t *bias, const int32_t *kbias, int8_t *ring,
                                         int32_t in_zp, int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                         int32_t act_min, int32_t act_max) {
#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)   /* MVE: the fast rows (mve_depthwise.h) */
    int step, first = tinycc_ring_start(r), count = 0;
    (void)bias, (void)mult, (void)shift;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_dw_s8_wrow(s, buf, filter, kbias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
#else
    tinycc_depthwise_conv_2d_s8_fast_inplace(s, r, buf, filter, bias, kbias, ring, in_zp, out_zp, mult, shift, act_min,
                                             act_max);
#endif
}

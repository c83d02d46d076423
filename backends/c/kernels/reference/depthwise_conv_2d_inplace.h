/* in place, reference arithmetic (depth multipliers, dilations, folded bias out of int32) */
static inline void tinycc_depthwise_conv_2d_s8_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                       int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                       int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                       const int32_t *mult, const int8_t *shift,
                                                       int32_t act_min, int32_t act_max) {
    int step, first = tinycc_ring_start(r), count = 0;
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_s8_row(s, buf, filter, bias, tinycc_ring_slot(r, ring, oy), 0, oy, in_zp, out_zp,
                                        mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}


/* In-place CONV_2D / DEPTHWISE_CONV_2D (int8, batch 1): the output takes over the input's storage.
 * Output rows are computed into a ring of `ring` rows and copied over the shared buffer once no
 * output row still to compute reads an input row under them; rows go bottom-up when `backward`.
 * Same arithmetic as the out-of-place kernels (TFLM reference); core/inplace.py simulates the
 * same schedule to size the ring. */
typedef struct {
    int h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pad_t, pad_l, mult, depthwise, ring, backward;
} tinycc_inplace_shape;

static inline void tinycc_inplace_row_s8(const tinycc_inplace_shape *s, const int8_t *in, const int8_t *filter,
                                         const int32_t *bias, int8_t *row, int oy, int32_t in_zp, int32_t out_zp,
                                         const int32_t *mult, const int32_t *shift,
                                         int32_t act_min, int32_t act_max) {
    int ox, oc, ky, kx, ic;
    for (ox = 0; ox < s->ow; ++ox)
    for (oc = 0; oc < s->co; ++oc) {
        int32_t acc = bias ? bias[oc] : 0;
        for (ky = 0; ky < s->kh; ++ky) {
            const int iy = oy * s->sh - s->pad_t + ky * s->dh;
            if (iy < 0 || iy >= s->h) continue;
            for (kx = 0; kx < s->kw; ++kx) {
                const int ix = ox * s->sw - s->pad_l + kx * s->dw;
                const int8_t *x;
                if (ix < 0 || ix >= s->w) continue;
                x = in + (iy * s->w + ix) * s->ci;
                if (s->depthwise) {
                    acc += (int32_t)filter[(ky * s->kw + kx) * s->co + oc] * ((int32_t)x[oc / s->mult] - in_zp);
                } else {
                    const int8_t *f = filter + ((oc * s->kh + ky) * s->kw + kx) * s->ci;
                    for (ic = 0; ic < s->ci; ++ic) acc += (int32_t)f[ic] * ((int32_t)x[ic] - in_zp);
                }
            }
        }
        acc = tinycc_mbqm(acc, mult[oc], shift[oc]) + out_zp;
        row[ox * s->co + oc] = (int8_t)tinycc_clamp(acc, act_min, act_max);
    }
}

static inline int tinycc_inplace_lo(const tinycc_inplace_shape *s, int oy) {
    const int r = oy * s->sh - s->pad_t;
    return r < 0 ? 0 : r;
}

static inline int tinycc_inplace_hi(const tinycc_inplace_shape *s, int oy) {
    const int r = oy * s->sh - s->pad_t + (s->kh - 1) * s->dh;
    return r > s->h - 1 ? s->h - 1 : r;
}

static inline void tinycc_conv_inplace_s8(const tinycc_inplace_shape *s, int8_t *buf, const int8_t *filter,
                                          const int32_t *bias, int8_t *ring, int32_t in_zp, int32_t out_zp,
                                          const int32_t *mult, const int32_t *shift,
                                          int32_t act_min, int32_t act_max) {
    const long rbi = (long)s->w * s->ci, rbo = (long)s->ow * s->co;
    const int dir = s->backward ? -1 : 1;
    int step, first = s->backward ? s->oh - 1 : 0, count = 0;
    for (step = 0; step < s->oh; ++step) {
        const int oy = s->backward ? s->oh - 1 - step : step;
        tinycc_inplace_row_s8(s, buf, filter, bias, ring + (long)(oy % s->ring) * rbo, oy, in_zp, out_zp,
                              mult, shift, act_min, act_max);
        ++count;
        while (count > 0) {
            const int q = first;
            int k;
            if (step != s->oh - 1) {
                const int need_lo = s->backward ? tinycc_inplace_lo(s, 0) : tinycc_inplace_lo(s, oy + 1);
                const int need_hi = s->backward ? tinycc_inplace_hi(s, oy - 1) : tinycc_inplace_hi(s, s->oh - 1);
                const long a = q * rbo / rbi, b = ((q + 1) * rbo - 1) / rbi;
                if (a <= need_hi && b >= need_lo) break;
            }
            for (k = 0; k < rbo; ++k) buf[q * rbo + k] = ring[(long)(q % s->ring) * rbo + k];
            --count;
            first += dir;
        }
    }
}

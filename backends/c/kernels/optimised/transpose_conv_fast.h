/* Fast int8 TRANSPOSE_CONV (needs dot_s8.h and transpose_conv.h for the shape struct). Output pixel
 * (oy, ox) takes the taps ky = (oy + pad_t) mod sh, + sh, ... whose input row iy = (oy + pad_t - ky) / sh
 * is inside the input (likewise for columns): no division per tap and no test of taps that cannot
 * hit. Each tap is a dot product of ci contiguous input bytes with ci contiguous filter bytes, two
 * output channels at a time (SXTB16 + SMLAD on a core with the DSP extension); the input zero point
 * is taken out per tap with `zpf[oc * kh * kw + tap]` = in_zp * sum(filter[oc][tap]), folded at
 * compile time. The emitter uses this kernel only when no partial sum can leave int32 (so the
 * order of the additions cannot matter: the sums are TFLM's exactly) and the multipliers are
 * non-negative (tinycc_requant_s8). `bias` is never NULL (zeros when the model has none). */
static inline void tinycc_transpose_conv_s8_fast(const tinycc_tconv_shape *s, const int8_t *in, const int8_t *filter,
                                                 const int32_t *bias, const int32_t *zpf, int8_t *out, int32_t out_zp,
                                                 const int32_t *mult, const int8_t *shift, int32_t act_min,
                                                 int32_t act_max) {
    const int ci = s->ci, taps = s->kh * s->kw, flen = taps * ci;
    int b, oy, ox, oc, ky, kx, iy, ix;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy) {
        const int ty = oy + s->pad_t, ry = ty % s->sh, iy0 = ty / s->sh;
        for (ox = 0; ox < s->ow; ++ox) {
            const int tx = ox + s->pad_l, rx = tx % s->sw, ix0 = tx / s->sw;
            int8_t *o = out + ((long)(b * s->oh + oy) * s->ow + ox) * s->co;
            for (oc = 0; oc + 2 <= s->co; oc += 2) {
                const int8_t *f0 = filter + (long)oc * flen, *f1 = f0 + flen;
                const int32_t *z0 = zpf + oc * taps, *z1 = z0 + taps;
                int32_t acc[2];
                acc[0] = bias[oc];
                acc[1] = bias[oc + 1];
                for (ky = ry, iy = iy0; ky < s->kh && iy >= 0; ky += s->sh, --iy) {
                    const int8_t *row;
                    if (iy >= s->h) continue;
                    row = in + (long)(b * s->h + iy) * s->w * ci;
                    for (kx = rx, ix = ix0; kx < s->kw && ix >= 0; kx += s->sw, --ix) {
                        const int t = ky * s->kw + kx;
                        if (ix >= s->w) continue;
                        tinycc_dot_s8_1x2(f0 + t * ci, f1 + t * ci, row + ix * ci, ci, acc);
                        acc[0] -= z0[t];
                        acc[1] -= z1[t];
                    }
                }
                o[oc] = tinycc_requant_s8(acc[0], mult[oc], shift[oc], out_zp, act_min, act_max);
                o[oc + 1] = tinycc_requant_s8(acc[1], mult[oc + 1], shift[oc + 1], out_zp, act_min, act_max);
            }
            if (oc < s->co) {      /* an odd last channel */
                const int8_t *f0 = filter + (long)oc * flen;
                int32_t acc = bias[oc];
                for (ky = ry, iy = iy0; ky < s->kh && iy >= 0; ky += s->sh, --iy) {
                    const int8_t *row;
                    if (iy >= s->h) continue;
                    row = in + (long)(b * s->h + iy) * s->w * ci;
                    for (kx = rx, ix = ix0; kx < s->kw && ix >= 0; kx += s->sw, --ix) {
                        const int t = ky * s->kw + kx;
                        if (ix >= s->w) continue;
                        acc = tinycc_dot_s8(f0 + t * ci, row + ix * ci, ci, acc) - zpf[oc * taps + t];
                    }
                }
                o[oc] = tinycc_requant_s8(acc, mult[oc], shift[oc], out_zp, act_min, act_max);
            }
        }
    }
}

/* Helium (MVE) im2col columns and their multiply-accumulate kernels (Cortex-M55/M85, little-endian, an
 * optimising build; TINYCC_MVE from mve_dot_s8.h). The definitions of the column kernels conv_2d_cols.h
 * declares under TINYCC_MVE_COLS (its layout, tinycc_cols_widen / _fill / _2x2 / _1x2 / _nx1, and the
 * block's requantisation tinycc_mve_cols_out4), in place of its own.
 * The column is int8 in natural order (byte j of a group is tap j, as byte j of a packed filter word in
 * memory), in chunks of 16 bytes (4 groups): chunk j of pixel slot p at b + 32 j + 16 p, so the two
 * slots' chunks of the same taps are neighbours. The filter keeps conv_2d.py's packing (a channel
 * pair's words interleaved c0 g, c1 g, c0 g+1, ...): one VLD20/VLD21 pair de-interleaves 8 words into
 * the two channels' 16 taps, each then one VMLADAVA (16 int8 products summed into an int32
 * accumulator) against a slot's chunk: 64 MACs from 4 loads and 4 VMLADAVA. A last partial chunk (g
 * mod 4 groups) is predicated (VCTP: inactive lanes add nothing; the column's are never loaded); the
 * filter's VLD2 there reads up to 6 words past the pair's taps, its own requantisation words (always
 * 6 after a pair: conv_2d.py's cols_words), and multiplies them by inactive lanes. Integer sums in any
 * order are TFLM's exactly. */
#ifdef TINYCC_MVE_COLS
/* n (a multiple of 4) int8 taps at x into pixel slot p's column from group g on: a chunk's worth of
 * bytes a step (one predicated load and store) */
static inline void tinycc_cols_widen(tinycc_cols *c, int p, int g, const int8_t *x, int n) {
    int8_t *const base = c->b + 16 * p;
    while (n > 0) {
        const int off = 4 * (g & 3), take = n < 16 - off ? n : 16 - off;
        const mve_pred16_t q = vctp8q((uint32_t)take);
        vstrbq_p_s8(base + 32 * (g >> 2) + off, vldrbq_z_s8(x, q), q);
        x += take;
        n -= take;
        g += take >> 2;
    }
}

/* ng groups of pixel slot p's column from group g on set to taps of value z (the input zero point) */
static inline void tinycc_cols_fill(tinycc_cols *c, int p, int g, int32_t z, int ng) {
    int8_t *const base = c->b + 16 * p;
    const int8x16_t v = vdupq_n_s8((int8_t)z);
    int n = 4 * ng;
    while (n > 0) {
        const int off = 4 * (g & 3), take = n < 16 - off ? n : 16 - off;
        vstrbq_p_s8(base + 32 * (g >> 2) + off, v, vctp8q((uint32_t)take));
        n -= take;
        g += take >> 2;
    }
}

/* acc[0..3] += (px0, ch0), (px0, ch1), (px1, ch0), (px1, ch1) over g >= 1 groups; w: a packed channel
 * pair (its 2g words, then its 6 requantisation words); returns w after the taps */
static inline const int32_t *tinycc_cols_2x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const int8_t *x = c->b;
    for (; g >= 4; g -= 4, w += 8, x += 32) {
        const int32x4x2_t f = vld2q_s32(w);
        const int8x16_t f0 = vreinterpretq_s8_s32(f.val[0]), f1 = vreinterpretq_s8_s32(f.val[1]);
        const int8x16_t x0 = vldrbq_s8(x), x1 = vldrbq_s8(x + 16);
        a0 = vmladavaq_s8(a0, f0, x0);
        a1 = vmladavaq_s8(a1, f1, x0);
        a2 = vmladavaq_s8(a2, f0, x1);
        a3 = vmladavaq_s8(a3, f1, x1);
    }
    if (g > 0) {
        const mve_pred16_t q = vctp8q((uint32_t)(4 * g));
        const int32x4x2_t f = vld2q_s32(w);
        const int8x16_t f0 = vreinterpretq_s8_s32(f.val[0]), f1 = vreinterpretq_s8_s32(f.val[1]);
        const int8x16_t x0 = vldrbq_z_s8(x, q), x1 = vldrbq_z_s8(x + 16, q);
        a0 = vmladavaq_p_s8(a0, f0, x0, q);
        a1 = vmladavaq_p_s8(a1, f1, x0, q);
        a2 = vmladavaq_p_s8(a2, f0, x1, q);
        a3 = vmladavaq_p_s8(a3, f1, x1, q);
        w += 2 * g;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    return w;
}

/* acc[0..1] += (px0, ch0), (px0, ch1) */
static inline void tinycc_cols_1x2(const tinycc_cols *c, const int32_t *w, int g, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1];
    const int8_t *x = c->b;
    for (; g >= 4; g -= 4, w += 8, x += 32) {
        const int32x4x2_t f = vld2q_s32(w);
        const int8x16_t x0 = vldrbq_s8(x);
        a0 = vmladavaq_s8(a0, vreinterpretq_s8_s32(f.val[0]), x0);
        a1 = vmladavaq_s8(a1, vreinterpretq_s8_s32(f.val[1]), x0);
    }
    if (g > 0) {
        const mve_pred16_t q = vctp8q((uint32_t)(4 * g));
        const int32x4x2_t f = vld2q_s32(w);
        const int8x16_t x0 = vldrbq_z_s8(x, q);
        a0 = vmladavaq_p_s8(a0, vreinterpretq_s8_s32(f.val[0]), x0, q);
        a1 = vmladavaq_p_s8(a1, vreinterpretq_s8_s32(f.val[1]), x0, q);
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* one channel (w: g words, its taps in order) against slot 0 and, when np is 2, slot 1 */
static inline void tinycc_cols_nx1(const tinycc_cols *c, const int32_t *w, int g, int np, int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1];
    const int8_t *x = c->b, *f = (const int8_t *)(const void *)w;
    int n = 4 * g;
    for (; n > 0; n -= 16, f += 16, x += 32) {
        const mve_pred16_t q = vctp8q((uint32_t)n);
        const int8x16_t fv = vldrbq_z_s8(f, q);
        a0 = vmladavaq_p_s8(a0, fv, vldrbq_z_s8(x, q), q);
        if (np > 1) a1 = vmladavaq_p_s8(a1, fv, vldrbq_z_s8(x + 16, q), q);
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* tinycc_cols_block's four outputs of a channel pair and two pixels at once: acc (px0 c0, px0 c1, px1 c0,
 * px1 c1), q the pair's words {W0, W1} (tinycc_cols_rq's: 2M - 2^32 with s = e - 1 in the low 5 bits
 * after an XOR with the layer's key), zp2 the layer's 2 out_zp + 1, outputs at op[0], op[1], op[co], op[co + 1]. VRMULH(acc, W) is
 * floor((acc W + 2^31) / 2^32), so acc plus it is SMMLAR's; then h = zp2 << s and (x + h + (x >> 31)) >> s
 * >> 1 by VSHL by -s (an arithmetic shift by the lanes' low byte) and VSHR #1, clamped (the activation
 * range lies inside int8) and scattered as bytes. */
static inline void tinycc_mve_cols_out4(const int32_t *acc, const int32_t *q, int32_t zp2, int32_t key, int8_t *op, int co,
                                        int32_t act_min, int32_t act_max) {
    const uint32x4_t pair = vandq_u32(vidupq_n_u32(0, 1), vdupq_n_u32(1));   /* words 0, 1, 0, 1 */
    const int32x4_t m = vldrwq_gather_shifted_offset_s32(q, pair);
    const int32x4_t s = vandq_s32(veorq_s32(m, vdupq_n_s32(key)), vdupq_n_s32(31)), h = vshlq_s32(vdupq_n_s32(zp2), s);
    const uint32x4_t at = vaddq_u32(vmulq_n_u32(vshrq_n_u32(vidupq_n_u32(0, 1), 1), (uint32_t)(co - 2)),
                                    vidupq_n_u32(0, 1));                       /* bytes 0, 1, co, co + 1 */
    const int32x4_t a = vldrwq_s32(acc);
    int32x4_t x = vaddq_s32(a, vrmulhq_s32(a, m));
    x = vshrq_n_s32(vshlq_s32(vaddq_s32(vaddq_s32(x, h), vshrq_n_s32(x, 31)), vnegq_s32(s)), 1);
    x = vminq_s32(vmaxq_s32(x, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
    vstrbq_scatter_offset_s32(op, at, x);
}
#endif

/* Helium (MVE) blocks for fully_connected_w4.h (Cortex-M55/M85, little-endian, an optimising build;
 * TINYCC_MVE from mve_dot_s8.h). A block of four units stores chunk c of unit j (4 bytes) at word
 * 4c + j: one VLD40..VLD43 de-interleaves 16 words into each unit's 16 taps, each one VMLADAVA (16
 * int8 products summed into its int32 accumulator) against 16 input bytes: 64 MACs from 5 loads and
 * 4 VMLADAVA. A two-wide block the same with VLD20/VLD21. The last depth mod 16 taps: each unit's
 * remaining chunks gathered (VLDRW gather, predicated to those chunks: nothing past the block's
 * words is read) and the input predicated to its remaining bytes (never read past `depth`; the weight
 * bytes there are zeros). Integer sums in any order are TFLM's exactly. */
#if defined(TINYCC_MVE) && !defined(__ARM_BIG_ENDIAN)
#define TINYCC_FC_MVE 1

/* acc[j] += unit j . x for the `width` (4 or 2: a constant once inlined) units of a block; returns the
 * weights past it (the accumulators in scalars: an array indexed in a loop went to the stack) */
static inline __attribute__((always_inline)) const int32_t *tinycc_mve_fc_dot(const int32_t *w, const int8_t *x,
                                                                             int depth, int32_t *acc, int width) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = width == 4 ? acc[2] : 0, a3 = width == 4 ? acc[3] : 0;
    int n = depth;
    for (; n >= 16; n -= 16, x += 16, w += 4 * width) {
        if (width == 4) {   /* the weights' loads first (GCC then issues the VLD4x post-increment last) */
            const int32x4x4_t f = vld4q_s32(w);
            const int8x16_t xv = vldrbq_s8(x);
            a0 = vmladavaq_s8(a0, vreinterpretq_s8_s32(f.val[0]), xv);
            a1 = vmladavaq_s8(a1, vreinterpretq_s8_s32(f.val[1]), xv);
            a2 = vmladavaq_s8(a2, vreinterpretq_s8_s32(f.val[2]), xv);
            a3 = vmladavaq_s8(a3, vreinterpretq_s8_s32(f.val[3]), xv);
        } else {
            const int32x4x2_t f = vld2q_s32(w);
            const int8x16_t xv = vldrbq_s8(x);
            a0 = vmladavaq_s8(a0, vreinterpretq_s8_s32(f.val[0]), xv);
            a1 = vmladavaq_s8(a1, vreinterpretq_s8_s32(f.val[1]), xv);
        }
    }
    if (n > 0) {
        const int chunks = (n + 3) >> 2;
        const mve_pred16_t qw = vctp32q((uint32_t)chunks), qx = vctp8q((uint32_t)n);
        const uint32x4_t off = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)width);   /* words 0, w, 2 w, 3 w */
        const int8x16_t xv = vldrbq_z_s8(x, qx);
        a0 = vmladavaq_p_s8(a0, vreinterpretq_s8_s32(vldrwq_gather_shifted_offset_z_s32(w, off, qw)), xv, qx);
        a1 = vmladavaq_p_s8(a1, vreinterpretq_s8_s32(vldrwq_gather_shifted_offset_z_s32(w + 1, off, qw)), xv, qx);
        if (width == 4) {
            a2 = vmladavaq_p_s8(a2, vreinterpretq_s8_s32(vldrwq_gather_shifted_offset_z_s32(w + 2, off, qw)), xv, qx);
            a3 = vmladavaq_p_s8(a3, vreinterpretq_s8_s32(vldrwq_gather_shifted_offset_z_s32(w + 3, off, qw)), xv, qx);
        }
        w += width * chunks;
    }
    acc[0] = a0, acc[1] = a1;
    if (width == 4) acc[2] = a2, acc[3] = a3;
    return w;
}

/* acc[j] += the block's unit j . x; returns the next block's weights */
static inline const int32_t *tinycc_mve_fc_dot4(const int32_t *w, const int8_t *x, int depth, int32_t *acc) {
    return tinycc_mve_fc_dot(w, x, depth, acc, 4);
}

/* acc[j] += unit j . x for a last block two rows wide; returns the weights past it */
static inline const int32_t *tinycc_mve_fc_dot2(const int32_t *w, const int8_t *x, int depth, int32_t *acc) {
    return tinycc_mve_fc_dot(w, x, depth, acc, 2);
}
#endif

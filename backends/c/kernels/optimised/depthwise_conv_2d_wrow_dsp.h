/* A whole output row, groups outer and pixels inner (tinycc_dw_s8_wrow; DSP core, pf with rq 1, co a
 * multiple of 4, (ow - 1) * sw + 3 <= TINYCC_DW_WROW_COLS window columns): per group the row's 3 x bw
 * input words are widened once into xb[], six words a column (tinycc_dw_wcol): filter rows 0 and 1
 * of each channel side by side in one word ([row 0 | row 1 << 16], channels 0..3), then row 2's
 * SXTB16 halves (channels 0 and 2; 1 and 3); the taps outside the input as the zero point (the
 * folded bias cancels them, as the patch). The 9 filter taps are laid out alike in fw[] (column kx
 * at fw[6 kx]). A window column of a pixel is then 8 loads back to back and 4 SMLAD (rows 0 and 1
 * of the four channels), 4 loads and 4 SMLABB / SMLATT (row 2): 12 MACs in 22 cycles, at fixed
 * offsets from the pixel's first column; border pixels need no patch. Without activation clipping
 * the row's pixels are one assembly loop (14 registers): the group's folded biases, requantisation
 * words (rq 1, tinycc_dw_store4pk's) and the loop's output pointer, output step, column step and end
 * wait in fw[] after the filter, so every load of a pixel but the input's is at a fixed offset from
 * fw and most follow one another (each pipelines after the one before); with clipping a C loop. */
#define TINYCC_DW_WROW_COLS @TINYCC_DW_WROW_COLS@   /* the emitter's limit too (backends/c/ops/depthwise_conv_2d.py) */
#ifdef TINYCC_DSP
/* one window column's six words at d from its three rows' input words v0, v1, v2 (4 channels each) */
static inline void tinycc_dw_wcol(int32_t *d, int32_t v0, int32_t v1, int32_t v2) {
    const uint32_t e0 = (uint32_t)__sxtb16(v0), o0 = (uint32_t)tinycc_dw_sxtb16_odd(v0);
    const uint32_t e1 = (uint32_t)__sxtb16(v1), o1 = (uint32_t)tinycc_dw_sxtb16_odd(v1);
    d[0] = (int32_t)((e0 & 0xffffu) | (e1 << 16));
    d[1] = (int32_t)((o0 & 0xffffu) | (o1 << 16));
    d[2] = (int32_t)((e0 >> 16) | (e1 & 0xffff0000u));
    d[3] = (int32_t)((o0 >> 16) | (o1 & 0xffff0000u));
    d[4] = __sxtb16(v2);
    d[5] = tinycc_dw_sxtb16_odd(v2);
}
#define TINYCC_DW_W_COL(O) \
    "ldr %[x0], [%[p], #" O "]\n\t" "ldr %[x1], [%[p], #" O "+4]\n\t" \
    "ldr %[x2], [%[p], #" O "+8]\n\t" "ldr %[x3], [%[p], #" O "+12]\n\t" \
    "ldr %[f0], [%[q], #" O "]\n\t" "ldr %[f1], [%[q], #" O "+4]\n\t" \
    "ldr %[f2], [%[q], #" O "+8]\n\t" "ldr %[f3], [%[q], #" O "+12]\n\t" \
    "smlad %[a0], %[x0], %[f0], %[a0]\n\t" "smlad %[a1], %[x1], %[f1], %[a1]\n\t" \
    "smlad %[a2], %[x2], %[f2], %[a2]\n\t" "smlad %[a3], %[x3], %[f3], %[a3]\n\t" \
    "ldr %[x0], [%[p], #" O "+16]\n\t" "ldr %[x1], [%[p], #" O "+20]\n\t" \
    "ldr %[f0], [%[q], #" O "+16]\n\t" "ldr %[f1], [%[q], #" O "+20]\n\t" \
    "smlabb %[a0], %[x0], %[f0], %[a0]\n\t" "smlatt %[a2], %[x0], %[f0], %[a2]\n\t" \
    "smlabb %[a1], %[x1], %[f1], %[a1]\n\t" "smlatt %[a3], %[x1], %[f1], %[a3]\n\t"
/* rq 1's requantisation of accumulator A (multiplier M, word W: tinycc_dw_rq) with x0..x2 as
 * temporaries and x3 holding 2^30, saturated to int8 */
#define TINYCC_DW_W_RQ(A, M, W) \
    "asr %[x0], %[" A "], #31\n\t" "orr %[x1], %[x3], %[x0], lsl #31\n\t" \
    "add %[x2], %[x0], %[" W "], asr #8\n\t" "smlal %[x1], %[x2], %[" A "], %[" M "]\n\t" \
    "asr %[" A "], %[x2], %[" W "]\n\t" "ssat %[" A "], #8, %[" A "]\n\t"
static __attribute__((noinline, unused)) void tinycc_dw_s8_wrow(const tinycc_dw_shape *s, const int8_t *in,
                                                                 const int8_t *fpk, const int32_t *pk0, int8_t *row,
                                                                 int b, int oy, int32_t in_zp, int32_t out_zp,
                                                                 int32_t act_min, int32_t act_max) {
    const int co = s->co, w = s->w, sw = s->sw, ow = s->ow, pad_l = s->pad_l;
    const int bw = (ow - 1) * sw + 3, iy0 = oy * s->sh - s->pad_t;
    const int cl = pad_l < bw ? pad_l : bw, cr = w + pad_l < bw ? w + pad_l : bw;   /* columns [cl, cr) inside */
    const int32_t zp4 = (int32_t)(((uint32_t)in_zp & 0xffu) * 0x01010101u), zpw = __sxtb16(zp4);
    const int clip = act_min > -128 || act_max < 127;
    int32_t xb[6 * TINYCC_DW_WROW_COLS], fw[34];   /* filter, pk's 12 words, oc, co, column step, end */
    int g, ky, c;
    for (g = 0; g < co; g += 4) {
        const int32_t *const pk = pk0 + 3 * g;
        const int8_t *const fg = fpk + 9 * g;
        int32_t *xp, *d = xb;
        int8_t *oc;
        for (c = 0; c < 3; ++c)
            tinycc_dw_wcol(fw + 6 * c, tinycc_ld4(fg + 4 * c), tinycc_ld4(fg + 12 + 4 * c), tinycc_ld4(fg + 24 + 4 * c));
        for (c = 0; c < cl; ++c, d += 6) d[0] = d[1] = d[2] = d[3] = d[4] = d[5] = zpw;
        if (iy0 >= 0 && iy0 + 3 <= s->h && cl < cr) {   /* the three rows inside: a column a pass */
            /* every "+r" operand the loops change is early-clobber ("+&r"): else GCC may give an input
             * of equal known value (ci == cr - cl once the shape is propagated) the same register */
            int32_t v0, v1, v2, e0, e1, e2, t;
            const int8_t *src = in + ((long)(b * s->h + iy0) * w + cl - pad_l) * s->ci + g;
            int n = cr - cl;
            __asm__ volatile("1:\n\t"
                             "ldr %[v0], [%[s]]\n\t" "ldr %[v1], [%[s], %[rs]]\n\t" "ldr %[v2], [%[s], %[rs], lsl #1]\n\t"
                             "add %[s], %[s], %[ci]\n\t"
                             "sxtb16 %[e0], %[v0]\n\t" "sxtb16 %[v0], %[v0], ror #8\n\t"
                             "sxtb16 %[e1], %[v1]\n\t" "sxtb16 %[v1], %[v1], ror #8\n\t"
                             "sxtb16 %[e2], %[v2]\n\t" "sxtb16 %[v2], %[v2], ror #8\n\t"
                             "pkhbt %[t], %[e0], %[e1], lsl #16\n\t"
                             "pkhtb %[e1], %[e1], %[e0], asr #16\n\t"
                             "pkhbt %[e0], %[v0], %[v1], lsl #16\n\t"
                             "pkhtb %[v1], %[v1], %[v0], asr #16\n\t"
                             "str %[t], [%[d]]\n\t" "str %[e0], [%[d], #4]\n\t" "str %[e1], [%[d], #8]\n\t"
                             "str %[v1], [%[d], #12]\n\t" "str %[e2], [%[d], #16]\n\t" "str %[v2], [%[d], #20]\n\t"
                             "adds %[d], %[d], #24\n\t"
                             "subs %[n], %[n], #1\n\t" "bne 1b"
                             : [s] "+&r"(src), [d] "+&r"(d), [n] "+&r"(n), [v0] "=&r"(v0), [v1] "=&r"(v1),
                               [v2] "=&r"(v2), [e0] "=&r"(e0), [e1] "=&r"(e1), [e2] "=&r"(e2), [t] "=&r"(t)
                             : [rs] "r"(w * s->ci), [ci] "r"(s->ci) : "memory", "cc");
        } else if (cl < cr) {   /* rows outside the input: the zero point */
            const int8_t *r[3];
            for (ky = 0; ky < 3; ++ky)
                r[ky] = iy0 + ky >= 0 && iy0 + ky < s->h
                            ? in + ((long)(b * s->h + iy0 + ky) * w + cl - pad_l) * s->ci + g : NULL;
            for (c = 0; c < cr - cl; ++c, d += 6) {
                const long o = (long)c * s->ci;
                tinycc_dw_wcol(d, r[0] ? tinycc_ld4(r[0] + o) : zp4, r[1] ? tinycc_ld4(r[1] + o) : zp4,
                               r[2] ? tinycc_ld4(r[2] + o) : zp4);
            }
        }
        for (c = cr > cl ? cr : cl; c < bw; ++c, d += 6) d[0] = d[1] = d[2] = d[3] = d[4] = d[5] = zpw;
        if (!clip) {
            int32_t *pp = xb, a0, a1, a2, a3, x0, x1, x2, x3, f0, f1, f2, f3;
            for (c = 0; c < 12; ++c) fw[18 + c] = pk[c];
            fw[30] = (int32_t)(intptr_t)(row + g);
            fw[31] = co;
            fw[32] = 24 * sw;
            fw[33] = (int32_t)(intptr_t)(xb + 6 * sw * ow);
            __asm__ volatile("1:\n\t"
                    "ldr %[a0], [%[q], #72]\n\t" "ldr %[a1], [%[q], #76]\n\t"
                    "ldr %[a2], [%[q], #80]\n\t" "ldr %[a3], [%[q], #84]\n\t"
                    TINYCC_DW_W_COL("0") TINYCC_DW_W_COL("24") TINYCC_DW_W_COL("48")
                    "ldr %[f0], [%[q], #88]\n\t" "ldr %[f1], [%[q], #92]\n\t"
                    "ldr %[f2], [%[q], #96]\n\t" "ldr %[f3], [%[q], #100]\n\t"
                    "mov %[x3], #0x40000000\n\t"
                    TINYCC_DW_W_RQ("a0", "f0", "f1") TINYCC_DW_W_RQ("a1", "f2", "f3")
                    "ldr %[f0], [%[q], #104]\n\t" "ldr %[f1], [%[q], #108]\n\t"
                    "ldr %[f2], [%[q], #112]\n\t" "ldr %[f3], [%[q], #116]\n\t"
                    TINYCC_DW_W_RQ("a2", "f0", "f1") TINYCC_DW_W_RQ("a3", "f2", "f3")
                    "bfi %[a0], %[a1], #8, #8\n\t" "bfi %[a0], %[a2], #16, #8\n\t" "bfi %[a0], %[a3], #24, #8\n\t"
                    "ldr %[x0], [%[q], #120]\n\t" "ldr %[x1], [%[q], #124]\n\t"
                    "ldr %[x2], [%[q], #128]\n\t" "ldr %[x3], [%[q], #132]\n\t"
                    "str %[a0], [%[x0]]\n\t"
                    "add %[x0], %[x0], %[x1]\n\t"
                    "str %[x0], [%[q], #120]\n\t"
                    "add %[p], %[p], %[x2]\n\t"
                    "cmp %[p], %[x3]\n\t"
                    "bne 1b"
                    : [p] "+&r"(pp), [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x0] "=&r"(x0),
                      [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [f0] "=&r"(f0), [f1] "=&r"(f1),
                      [f2] "=&r"(f2), [f3] "=&r"(f3)
                    : [q] "r"(fw) : "memory", "cc");
            continue;
        }
        for (c = 0, xp = xb, oc = row + g; c < ow; ++c, xp += 6 * sw, oc += co) {
            int32_t a0, a1, a2, a3, x0, x1, x2, x3, f0, f1, f2, f3;
            TINYCC_DW_LD4(pk);
            __asm__(TINYCC_DW_W_COL("0") TINYCC_DW_W_COL("24") TINYCC_DW_W_COL("48")
                    : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [x0] "=&r"(x0), [x1] "=&r"(x1),
                      [x2] "=&r"(x2), [x3] "=&r"(x3), [f0] "=&r"(f0), [f1] "=&r"(f1), [f2] "=&r"(f2), [f3] "=&r"(f3)
                    : [p] "r"(xp), [q] "r"(fw) : "memory");
            tinycc_dw_store4pk(1, oc, a0, a1, a2, a3, pk, out_zp, act_min, act_max);
        }
    }
}
#undef TINYCC_DW_W_COL
#undef TINYCC_DW_W_RQ
#endif

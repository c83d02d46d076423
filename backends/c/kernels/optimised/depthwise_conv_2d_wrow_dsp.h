/* A whole output row, groups outer and pixels inner (tinycc_dw_s8_wrow; DSP core, pf with rq 1, co a
 * multiple of 4, (ow - 1) * sw + 3 <= TINYCC_DW_WROW_COLS window columns): per group the 9 filter
 * taps are widened once into fw[] (fw[2 t] SXTB16 of tap t's word: channels 0 and 2; fw[2 t + 1]
 * the odd bytes: channels 1 and 3), and the row's 3 x bw input words too, into xb[] column-major
 * (column c's filter row ky at xb[6 c + 2 ky], widened as fw; with the three rows inside, a column
 * a pass: 15 instructions), the taps outside the input as the zero point (the folded bias cancels
 * them, as the patch). A tap is then two LDRD and four multiply-accumulates (6 instructions, the
 * packed one-pixel path's 10), at fixed offsets from the pixel's first column; border pixels need
 * no patch. The tap asm keeps 12 registers: one requantisation (rq 1) beside it, rq 2 left out. */
#define TINYCC_DW_WROW_COLS @TINYCC_DW_WROW_COLS@   /* the emitter's limit too (backends/c/ops/depthwise_conv_2d.py) */
#ifdef TINYCC_DSP
#define TINYCC_DW_W_TAP(XO, FO) \
    "ldrd %[xe], %[xo], [%[p], #" XO "]\n\t" "ldrd %[fe], %[fo], [%[q], #" FO "]\n\t" \
    "smlabb %[a0], %[xe], %[fe], %[a0]\n\t" "smlatt %[a2], %[xe], %[fe], %[a2]\n\t" \
    "smlabb %[a1], %[xo], %[fo], %[a1]\n\t" "smlatt %[a3], %[xo], %[fo], %[a3]\n\t"
static __attribute__((noinline, unused)) void tinycc_dw_s8_wrow(const tinycc_dw_shape *s, const int8_t *in,
                                                                 const int8_t *fpk, const int32_t *pk0, int8_t *row,
                                                                 int b, int oy, int32_t in_zp, int32_t out_zp,
                                                                 int32_t act_min, int32_t act_max) {
    const int co = s->co, w = s->w, sw = s->sw, ow = s->ow, pad_l = s->pad_l;
    const int bw = (ow - 1) * sw + 3, iy0 = oy * s->sh - s->pad_t;
    const int cl = pad_l < bw ? pad_l : bw, cr = w + pad_l < bw ? w + pad_l : bw;   /* columns [cl, cr) inside */
    const int32_t zpw = __sxtb16((int32_t)(((uint32_t)in_zp & 0xffu) * 0x01010101u));
    int32_t xb[6 * TINYCC_DW_WROW_COLS], fw[18];
    int g, t, ky, c;
    for (g = 0; g < co; g += 4) {
        const int32_t *const pk = pk0 + 3 * g;
        const int8_t *const fg = fpk + 9 * g;
        int32_t *xp;
        int8_t *oc;
        for (t = 0; t < 9; ++t) {
            const int32_t v = tinycc_ld4(fg + 4 * t);
            fw[2 * t] = __sxtb16(v);
            fw[2 * t + 1] = tinycc_dw_sxtb16_odd(v);
        }
        if (iy0 >= 0 && iy0 + 3 <= s->h && cl < cr) {   /* the three rows inside: a column a pass */
            int32_t *d = xb, v0, v1, v2, e0, e1, e2;
            const int8_t *src = in + ((long)(b * s->h + iy0) * w + cl - pad_l) * s->ci + g;
            int n = cr - cl;
            for (c = 0; c < cl; ++c, d += 6) d[0] = d[1] = d[2] = d[3] = d[4] = d[5] = zpw;
            __asm__ volatile("1:\n\t"
                             "ldr %[v0], [%[s]]\n\t" "ldr %[v1], [%[s], %[rs]]\n\t" "ldr %[v2], [%[s], %[rs], lsl #1]\n\t"
                             "add %[s], %[s], %[ci]\n\t"
                             "sxtb16 %[e0], %[v0]\n\t" "sxtb16 %[v0], %[v0], ror #8\n\t"
                             "sxtb16 %[e1], %[v1]\n\t" "sxtb16 %[v1], %[v1], ror #8\n\t"
                             "sxtb16 %[e2], %[v2]\n\t" "sxtb16 %[v2], %[v2], ror #8\n\t"
                             "strd %[e1], %[v1], [%[d], #8]\n\t" "strd %[e2], %[v2], [%[d], #16]\n\t"
                             "strd %[e0], %[v0], [%[d]], #24\n\t"
                             "subs %[n], %[n], #1\n\t" "bne 1b"
                             : [s] "+r"(src), [d] "+r"(d), [n] "+r"(n), [v0] "=&r"(v0), [v1] "=&r"(v1),
                               [v2] "=&r"(v2), [e0] "=&r"(e0), [e1] "=&r"(e1), [e2] "=&r"(e2)
                             : [rs] "r"(w * s->ci), [ci] "r"(s->ci) : "memory", "cc");
            for (c = cr; c < bw; ++c, d += 6) d[0] = d[1] = d[2] = d[3] = d[4] = d[5] = zpw;
        } else
        for (ky = 0; ky < 3; ++ky) {
            const int iy = iy0 + ky;
            int32_t *d = xb + 2 * ky;
            if (iy < 0 || iy >= s->h) {
                for (c = 0; c < bw; ++c, d += 6) d[0] = zpw, d[1] = zpw;
                continue;
            }
            {
                const int8_t *src = in + ((long)(b * s->h + iy) * w + cl - pad_l) * s->ci + g;
                for (c = 0; c < cl; ++c, d += 6) d[0] = zpw, d[1] = zpw;
                for (; c < cr; ++c, d += 6, src += s->ci) {
                    const int32_t v = tinycc_ld4(src);
                    d[0] = __sxtb16(v);
                    d[1] = tinycc_dw_sxtb16_odd(v);
                }
                for (; c < bw; ++c, d += 6) d[0] = zpw, d[1] = zpw;
            }
        }
        for (c = 0, xp = xb, oc = row + g; c < ow; ++c, xp += 6 * sw, oc += co) {
            int32_t a0, a1, a2, a3, xe_, xo_, fe_, fo_;
            TINYCC_DW_LD4(pk);
            __asm__(TINYCC_DW_W_TAP("0", "0") TINYCC_DW_W_TAP("8", "24") TINYCC_DW_W_TAP("16", "48")
                    TINYCC_DW_W_TAP("24", "8") TINYCC_DW_W_TAP("32", "32") TINYCC_DW_W_TAP("40", "56")
                    TINYCC_DW_W_TAP("48", "16") TINYCC_DW_W_TAP("56", "40") TINYCC_DW_W_TAP("64", "64")
                    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xe] "=&r"(xe_),
                      [xo] "=&r"(xo_), [fe] "=&r"(fe_), [fo] "=&r"(fo_)
                    : [p] "r"(xp), [q] "r"(fw), "m"(*(const int32_t (*)[18])xp), "m"(*(const int32_t (*)[18])fw));
            tinycc_dw_store4pk(1, oc, a0, a1, a2, a3, pk, out_zp, act_min, act_max);
        }
    }
}
#undef TINYCC_DW_W_TAP
#endif


#ifdef TINYCC_DSP
#define TINYCC_DW_TAPS3X3(X, F, RS) TINYCC_DW_3X3(X, F, co, RS)
#else
#define TINYCC_DW_TAPS3X3(X, F, RS) do { \
        const int8_t *r0_ = (X), *r1_ = r0_ + (RS), *r2_ = r1_ + (RS), *f_ = (F); \
        TINYCC_DW_TAP(r0_, f_); TINYCC_DW_TAP(r0_ + co, f_ + co); TINYCC_DW_TAP(r0_ + 2 * co, f_ + 2 * co); \
        TINYCC_DW_TAP(r1_, f_ + 3 * co); TINYCC_DW_TAP(r1_ + co, f_ + 4 * co); TINYCC_DW_TAP(r1_ + 2 * co, f_ + 5 * co); \
        TINYCC_DW_TAP(r2_, f_ + 6 * co); TINYCC_DW_TAP(r2_ + co, f_ + 7 * co); TINYCC_DW_TAP(r2_ + 2 * co, f_ + 8 * co); \
    } while (0)
#endif

/* the channels past the last multiple of 4 of one pixel (x: its top-left tap, rows rowstep apart) */
static inline void tinycc_dw_s8_rest(const tinycc_dw_shape *s, const int8_t *x, int rowstep, const int8_t *filter,
                                     const int32_t *kbias, int8_t *out, int32_t out_zp, const int32_t *mult,
                                     const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int co = s->co, rq = s->rq;
    int c, ky, kx;
    for (c = co - co % 4; c < co; ++c) {
        int32_t acc = *tinycc_dw_kp(rq, kbias, c);
        for (ky = 0; ky < s->kh; ++ky)
        for (kx = 0; kx < s->kw; ++kx)
            acc += (int32_t)filter[(ky * s->kw + kx) * co + c] * x[ky * rowstep + kx * co + c];
        out[c] = tinycc_dw_store1(rq, acc, out_zp, tinycc_dw_mp(rq, kbias, mult, c), tinycc_dw_sp(rq, kbias, shift, c),
                                  act_min, act_max);
    }
}

/* npix pixels with every tap inside, without the packed filter (3x3 with rq take tinycc_dw_s8_pf): x
 * points at the first one's top-left tap, input rows rowstep bytes apart (s->w * co in the input,
 * kw * co in a border pixel's patch), pixels xstep bytes apart; outputs co bytes apart from `out` */
static inline void tinycc_dw_s8_pixels(const tinycc_dw_shape *s, const int8_t *x, int rowstep, int xstep, int npix,
                                       const int8_t *filter, const int32_t *kbias, int8_t *out, int32_t out_zp,
                                       const int32_t *mult, const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int co = s->co, co4 = co - co % 4, rq = s->rq;
    int p, c, ky, kx;
    for (p = 0; p < npix; ++p, x += xstep, out += co) {
        for (c = 0; c < co4; c += 4) {
            const int32_t *kb = tinycc_dw_kp(rq, kbias, c);
            int32_t a0 = kb[0], a1 = kb[1], a2 = kb[2], a3 = kb[3];
            if (s->kh == 3 && s->kw == 3) {
                TINYCC_DW_TAPS3X3(x + c, filter + c, rowstep);
            } else {
                for (ky = 0; ky < s->kh; ++ky)
                for (kx = 0; kx < s->kw; ++kx)
                    TINYCC_DW_TAP(x + ky * rowstep + kx * co + c, filter + (ky * s->kw + kx) * co + c);
            }
            tinycc_dw_store4(rq, out + c, a0, a1, a2, a3, out_zp, tinycc_dw_mp(rq, kbias, mult, c),
                             tinycc_dw_sp(rq, kbias, shift, c), rq ? 2 : 1, act_min, act_max);
        }
        if (co4 < co) tinycc_dw_s8_rest(s, x, rowstep, filter, kbias, out, out_zp, mult, shift, act_min, act_max);
    }
}

/* Border pixels through the interior routine: their kh x kw x co window copied into a patch whose
 * taps outside the input hold the input zero point. The folded bias carries -in_zp * f for every
 * tap, so a padded tap adds f * in_zp - f * in_zp = 0, as TFLM's skipped tap: the result is
 * bias + sum of f * (x - in_zp) over the inside taps, exactly. Up to TINYCC_DW_PATCH bytes of
 * window on the stack; with the packed filter (pf) a 3x3 window of any depth, TINYCC_DW_PF_CH channels
 * a pass; else larger windows take tinycc_dw_s8_border. */
#define TINYCC_DW_PATCH @TINYCC_DW_PATCH@
#define TINYCC_DW_PF_CH (TINYCC_DW_PATCH / 9 / 4 * 4)   /* channels of a pf patch */

/* n bytes from src to dst, words at a time (element alignment only: unaligned words; on a DSP
 * core 16 bytes a LDM / STM pair when both are word-aligned) */
static inline void tinycc_dw_copy(int8_t *dst, const int8_t *src, int n) {
    int i = 0;
#ifdef TINYCC_COPY_V6M      /* ARMv6-M: aligned words or bytes, no library call a word (common/copy.h) */
    tinycc_copy_bytes_v6m(dst, src, n);
    return;
#endif
#ifdef TINYCC_DSP
    if (n >= 16 && !(((uintptr_t)dst | (uintptr_t)src) & 3u)) {
        int8_t *d = dst;
        const int8_t *q = src;
        int k = n >> 4;
        __asm__ volatile("1:\n\t"
                         "ldmia %[q]!, {r4, r5, r6, r12}\n\t"
                         "stmia %[d]!, {r4, r5, r6, r12}\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 1b"
                         : [q] "+r"(q), [d] "+r"(d), [k] "+r"(k) : : "r4", "r5", "r6", "r12", "memory", "cc");
        i = n & ~15;
    }
#endif
    for (; i + 16 <= n; i += 16) {
        int32_t u0, u1, u2, u3;   /* one LDR / STR each (the Cortex-M4 takes unaligned words) */
        memcpy(&u0, src + i, 4);
        memcpy(&u1, src + i + 4, 4);
        memcpy(&u2, src + i + 8, 4);
        memcpy(&u3, src + i + 12, 4);
        memcpy(dst + i, &u0, 4);
        memcpy(dst + i + 4, &u1, 4);
        memcpy(dst + i + 8, &u2, 4);
        memcpy(dst + i + 12, &u3, 4);
    }
    for (; i + 4 <= n; i += 4) {
        int32_t u;
        memcpy(&u, src + i, 4);
        memcpy(dst + i, &u, 4);
    }
    for (; i < n; ++i) dst[i] = src[i];
}

static inline void tinycc_dw_fill(int8_t *dst, int32_t zp4, int n) {
    int i = 0;
#ifdef TINYCC_COPY_V6M
    tinycc_fill_bytes_v6m(dst, (uint32_t)zp4, n);
    return;
#endif
#ifdef TINYCC_DSP
    if (n >= 16 && !((uintptr_t)dst & 3u)) {
        int8_t *d = dst;
        int k = n >> 4;
        __asm__ volatile("mov r4, %[z]\n\t" "mov r5, %[z]\n\t" "mov r6, %[z]\n\t" "mov r12, %[z]\n\t"
                         "1:\n\t"
                         "stmia %[d]!, {r4, r5, r6, r12}\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 1b"
                         : [d] "+r"(d), [k] "+r"(k) : [z] "r"(zp4) : "r4", "r5", "r6", "r12", "memory", "cc");
        i = n & ~15;
    }
#endif
    for (; i + 16 <= n; i += 16) {
        memcpy(dst + i, &zp4, 4);
        memcpy(dst + i + 4, &zp4, 4);
        memcpy(dst + i + 8, &zp4, 4);
        memcpy(dst + i + 12, &zp4, 4);
    }
    for (; i + 4 <= n; i += 4) memcpy(dst + i, &zp4, 4);
    for (; i < n; ++i) dst[i] = (int8_t)zp4;
}

/* n channels (from in's) of the window of output pixel (oy, ox) of image b into `patch`, tap t at
 * t * n; `zmask` has bit t set while tap t of the patch holds the zero point already (kept across
 * a row's pixels while n stays). A window row's inside taps are one copy when n is the depth. */
static inline void tinycc_dw_patch(const tinycc_dw_shape *s, const int8_t *in, int n, int8_t *patch,
                                   unsigned *zmask, int b, int oy, int ox, int32_t zp4) {
    const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l, kw = s->kw, ci = s->ci;
    const int kx0 = ix0 < 0 ? -ix0 : 0, kx1 = ix0 + kw > s->w ? s->w - ix0 : kw;
    const unsigned row = (1u << kw) - 1;
    int ky, kx;
    for (ky = 0; ky < s->kh; ++ky) {
        int8_t *d = patch + ky * kw * n;
        const int iy = iy0 + ky, sh = ky * kw;
        if (iy < 0 || iy >= s->h || kx1 <= kx0) {   /* the whole row outside */
            if ((*zmask & (row << sh)) != row << sh) {
                tinycc_dw_fill(d, zp4, kw * n);
                *zmask |= row << sh;
            }
            continue;
        }
        for (kx = 0; kx < kw; ++kx) {
            if (kx == kx0) {   /* the inside taps */
                const int8_t *src = in + ((b * s->h + iy) * s->w + ix0 + kx0) * ci;
                if (n == ci) {
                    tinycc_dw_copy(d + kx0 * n, src, (kx1 - kx0) * n);
                } else {
                    for (; kx < kx1; ++kx) tinycc_dw_copy(d + kx * n, src + (kx - kx0) * ci, n);
                }
                kx = kx1 - 1;
                *zmask &= ~((((1u << (kx1 - kx0)) - 1) << kx0) << sh);
            } else if (!(*zmask & (1u << (sh + kx)))) {
                tinycc_dw_fill(d + kx * n, zp4, n);
                *zmask |= 1u << (sh + kx);
            }
        }
    }
}

#ifndef TINYCC_DW_ONLY_PF
#define TINYCC_DW_ONLY_PF 0     /* 1 (the emitter's): every fast node has the packed filter, the rest compiles out */
#endif
/* output row oy of image b, fast: interior pixels (ox0 <= ox < ox1 of an interior row) without
 * bounds checks, the others through a zero-point patch (or the border routine) */
static inline void tinycc_depthwise_conv_2d_s8_fast_row(const tinycc_dw_shape *s, const int8_t *in,
                                                        const int8_t *filter, const int32_t *bias,
                                                        const int32_t *kbias, int8_t *row, int b, int oy, int ox0,
                                                        int ox1, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                                        const int32_t *shift, int32_t act_min, int32_t act_max) {
    const int iy = oy * s->sh - s->pad_t, co = s->co, kw = s->kw;
    const int pf = TINYCC_DW_ONLY_PF || s->pf, patched = s->rq && s->kh * kw <= 31 && s->kh * kw * co <= TINYCC_DW_PATCH;
    const int32_t zp4 = (int32_t)(((uint32_t)in_zp & 0xffu) * 0x01010101u);
    int32_t patch32[TINYCC_DW_PATCH / 4];   /* word-aligned */
    int8_t *patch = (int8_t *)patch32;
    unsigned zmask = 0;
    int ox, c0, zw = 0;
#ifdef TINYCC_DW_MVE
    if (pf) {   /* mve_depthwise.h: the whole row, borders without a patch */
        tinycc_mve_dw_row(s, in, filter, kbias, row, b, oy, in_zp, out_zp, act_min, act_max);
        return;
    }
#endif
    if (iy < 0 || iy + s->kh > s->h) ox0 = ox1 = s->ow;
    for (ox = 0; ox < s->ow; ++ox) {
        if (ox == ox0 && ox1 > ox0) {   /* the interior run */
            const int8_t *x = in + ((b * s->h + iy) * s->w + ox * s->sw - s->pad_l) * s->ci;
            if (pf)
                tinycc_dw_s8_pf(s, x, co, s->w * co, s->sw * co, ox1 - ox0, co, filter, kbias, row + ox * co, out_zp,
                                act_min, act_max);
            else
                tinycc_dw_s8_pixels(s, x, s->w * co, s->sw * co, ox1 - ox0, filter, kbias, row + ox * co, out_zp, mult,
                                    shift, act_min, act_max);
            ox = ox1;
            if (ox >= s->ow) break;
        }
        if (pf) {   /* TINYCC_DW_PF_CH channels a pass (a multiple of 4: passes start at groups) */
            for (c0 = 0; c0 < co; c0 += TINYCC_DW_PF_CH) {
                const int n = co - c0 < TINYCC_DW_PF_CH ? co - c0 : TINYCC_DW_PF_CH;
                if (n != zw) zmask = 0, zw = n;
                tinycc_dw_patch(s, in + c0, n, patch, &zmask, b, oy, ox, zp4);
                tinycc_dw_s8_pf(s, patch, n, 3 * n, 0, 1, n, filter + c0 / 4 * 36, kbias + c0 / 4 * 12,
                                row + ox * co + c0, out_zp, act_min, act_max);
            }
        } else if (patched) {
            tinycc_dw_patch(s, in, co, patch, &zmask, b, oy, ox, zp4);
            tinycc_dw_s8_pixels(s, patch, kw * co, 0, 1, filter, kbias, row + ox * co, out_zp, mult, shift, act_min,
                                act_max);
        } else {
            tinycc_dw_s8_border(s, in, filter, bias, kbias, row + ox * co, b, oy, ox, in_zp, out_zp, mult, shift,
                                act_min, act_max);
        }
    }
}

#ifndef TINYCC_DW_ROWS
#define TINYCC_DW_ROWS 0   /* the emitter's: bytes of tinycc_dw_s8_rows's ring of padded rows, the most a node needs (0: none takes it) */
#endif
#ifndef TINYCC_DW_ONLY_ROWS
#define TINYCC_DW_ONLY_ROWS 0   /* 1 (the emitter's): every node of the fast entry takes the ring; the patches compile out */
#endif
#ifndef TINYCC_DW_ROWS_RQ
#define TINYCC_DW_ROWS_RQ 3   /* the emitter's: the requantisation modes of the ring's nodes (bit 1: rq 1, bit 2: rq 2) */
#endif
#ifndef TINYCC_DW_ROWS_CLIP
#define TINYCC_DW_ROWS_CLIP 1   /* 0 (the emitter's): no node of the ring clips its activations; its C loop compiles out */
#endif
#if TINYCC_DW_ROWS && defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
#define TINYCC_DW_RING 1
#else
#define TINYCC_DW_RING 0
#endif
#if TINYCC_DW_RING
/* Packed filter with rq 1 or 2, co a multiple of 4, 3 * bw * co <= TINYCC_DW_ROWS bytes (bw = (ow - 1) * sw + 3
 * window columns): every output pixel through the interior loop, none through a patch. Input rows are
 * copied, each once, into a ring of three padded rows (row iy in slot iy mod 3, found by tag[]) whose
 * columns outside the input hold the input zero point (the folded bias cancels them, as the patch's),
 * as do the slots of rows outside the input; a pixel's three window rows are then rs and rs2 bytes apart
 * (TINYCC_DW_PF3X3_RS2). In place (r not NULL) rows run in the ring's order, out is its buffer: a row
 * is copied while it is still input (before tinycc_ring_flush writes outputs over it). */
/* rq 1's (Z 1) or 2's (Z 2: out_zp added after the shift) requantisation of accumulator A with its
 * multiplier and word at byte OFF of k, x, f, xo and fo the temporaries (tinycc_dw_rq; 2^30 from an
 * immediate: no register left for it) */
#define TINYCC_DW_ROWS_ZP1(A) ""
#define TINYCC_DW_ROWS_ZP2(A) "ldr %[x], [%[c], #16]\n\t" "add %[" A "], %[" A "], %[x]\n\t"
#define TINYCC_DW_ROWS_REQ(A, OFF, Z) \
    "ldrd %[x], %[f], [%[k], #" OFF "]\n\t" "asr %[xo], %[" A "], #31\n\t" "lsl %[fo], %[xo], #31\n\t" \
    "orr %[fo], %[fo], #0x40000000\n\t" "add %[xo], %[xo], %[f], asr #8\n\t" \
    "smlal %[fo], %[xo], %[" A "], %[x]\n\t" "asr %[" A "], %[xo], %[f]\n\t" TINYCC_DW_ROWS_ZP##Z(A) "ssat %[" A "], #8, %[" A "]\n\t"
/* one pixel's groups of four channels: xc at its top-left tap (group 0), fg and pk at group 0's packed
 * filter and constants, oc at its output; ctx: the row steps rs and rs2, 4 - rs - rs2 (back to the
 * next group's top-left tap), the end of the pixel's output, out_zp. Z: rq (1 or 2) */
#define TINYCC_DW_ROWS_ASM(Z) \
    __asm__ volatile("1:\n\t" \
            "ldr %[a0], [%[k]]\n\t" "ldr %[a1], [%[k], #4]\n\t" "ldr %[a2], [%[k], #8]\n\t" "ldr %[a3], [%[k], #12]\n\t" \
            TINYCC_DW_ASM_PROW("0", "4", "8", "ldr %[xo], [%[c]]\n\t" "add %[p], %[p], %[xo]\n\t") \
            TINYCC_DW_ASM_PROW("12", "16", "20", "ldr %[xo], [%[c], #4]\n\t" "add %[p], %[p], %[xo]\n\t") \
            TINYCC_DW_ASM_PROW("24", "28", "32", "ldr %[xo], [%[c], #8]\n\t" "add %[p], %[p], %[xo]\n\t") \
            TINYCC_DW_ROWS_REQ("a0", "16", Z) TINYCC_DW_ROWS_REQ("a1", "24", Z) \
            TINYCC_DW_ROWS_REQ("a2", "32", Z) TINYCC_DW_ROWS_REQ("a3", "40", Z) \
            "bfi %[a0], %[a1], #8, #8\n\t" "bfi %[a0], %[a2], #16, #8\n\t" "bfi %[a0], %[a3], #24, #8\n\t" \
            "str %[a0], [%[o]], #4\n\t" "adds %[q], %[q], #36\n\t" "adds %[k], %[k], #48\n\t" \
            "ldr %[x], [%[c], #12]\n\t" "cmp %[o], %[x]\n\t" "bne 1b" \
            : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x_), [f] "=&r"(f_), \
              [xo] "=&r"(xo_), [fo] "=&r"(fo_), [p] "+&r"(xc), [q] "+&r"(fg), [k] "+&r"(pk), [o] "+&r"(oc) \
            : [cs] "r"(co), [c] "r"(ctx), "m"(*(const int32_t (*)[5])ctx) : "memory", "cc")
static __attribute__((noinline)) void tinycc_dw_s8_rows(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                        const int8_t *in, const int8_t *fpk, const int32_t *pk0,
                                                        int8_t *out, int8_t *ring, int32_t in_zp, int32_t out_zp,
                                                        int32_t act_min, int32_t act_max) {
    const int co = s->co, w = s->w, sw = s->sw, ow = s->ow, pad_l = s->pad_l, rq = s->rq;
    const int bw = (ow - 1) * sw + 3, rb = bw * co, xstep = sw * co;
    const int cl = pad_l < bw ? pad_l : bw, cr = w + pad_l < bw ? w + pad_l : bw;   /* columns [cl, cr) inside */
    const int32_t zp4 = (int32_t)(((uint32_t)in_zp & 0xffu) * 0x01010101u);
    const int steps = r ? r->oh : s->n * s->oh, clip = act_min > -128 || act_max < 127;
    int32_t slots32[TINYCC_DW_ROWS / 4];   /* word-aligned */
    int8_t *const slots = (int8_t *)slots32;
    int tag[3], first = r ? tinycc_ring_start(r) : 0, count = 0, step, ky, p;
    tinycc_dw_fill(slots, zp4, 3 * rb);
    for (step = 0; step < steps; ++step) {
        const int b = r ? 0 : step / s->oh, oy = r ? tinycc_ring_row(r, step) : step % s->oh;
        const int iy0 = oy * s->sh - s->pad_t;
        int8_t *const row = r ? tinycc_ring_slot(r, ring, oy) : out + (long)step * ow * co;
        const int8_t *rp[3];
        if (oy == 0 || step == 0) tag[0] = tag[1] = tag[2] = -0x7fffffff;   /* a new image: no row held */
        for (ky = 0; ky < 3; ++ky) {
            const int iy = iy0 + ky, k = ((iy % 3) + 3) % 3;
            int8_t *const d = slots + k * rb;
            if (tag[k] != iy) {
                if (iy >= 0 && iy < s->h && cl < cr)
                    tinycc_dw_copy(d + cl * co, in + ((long)(b * s->h + iy) * w + cl - pad_l) * co, (cr - cl) * co);
                else if (cl < cr)
                    tinycc_dw_fill(d + cl * co, zp4, (cr - cl) * co);
                tag[k] = iy;
            }
            rp[ky] = d;
        }
        if (!TINYCC_DW_ROWS_CLIP || !clip) {   /* a pixel's groups one assembly loop (14 registers) */
            const int8_t *x = rp[0];
            int8_t *o = row;
            int32_t ctx[5];
            ctx[0] = (int32_t)(rp[1] - rp[0]);
            ctx[1] = (int32_t)(rp[2] - rp[1]);
            ctx[2] = 4 - ctx[0] - ctx[1];
            ctx[4] = out_zp;
            for (p = 0; p < ow; ++p, x += xstep, o += co) {
                const int8_t *xc = x, *fg = fpk;
                const int32_t *pk = pk0;
                int8_t *oc = o;
                int32_t a0, a1, a2, a3, x_, f_, xo_, fo_;
                ctx[3] = (int32_t)(intptr_t)(o + co);
                if (TINYCC_DW_ROWS_RQ == 1 || (TINYCC_DW_ROWS_RQ != 2 && rq == 1))
                    TINYCC_DW_ROWS_ASM(1);
                else
                    TINYCC_DW_ROWS_ASM(2);
            }
        } else {
            const int rs = (int)(rp[1] - rp[0]), rs2 = (int)(rp[2] - rp[1]);
            const int8_t *x = rp[0];
            int8_t *o = row;
            for (p = 0; p < ow; ++p, x += xstep, o += co) {
                const int32_t *pk = pk0;
                const int8_t *fg = fpk, *xc = x, *const xe = x + co;
                int8_t *oc = o;
                for (; xc != xe; xc += 4, oc += 4, pk += 12, fg += 36) {
                    int32_t a0, a1, a2, a3;
                    TINYCC_DW_LD4(pk);
                    TINYCC_DW_PF3X3_RS2(xc, fg, co, rs, rs2);
                    tinycc_dw_store4pk(rq, oc, a0, a1, a2, a3, pk, out_zp, act_min, act_max);
                }
            }
        }
        if (r) tinycc_ring_flush(r, out, ring, step, oy, &first, &count);
    }
}
#endif

/* tinycc_dw_s8_rows applies (the emitter's check too: depthwise_conv_2d.py) */
static inline int tinycc_dw_rows_fit(const tinycc_dw_shape *s) {
#if TINYCC_DW_RING
    return TINYCC_DW_ONLY_ROWS || (s->pf && s->rq && s->co % 4 == 0 && s->kh == 3 && s->kw == 3 &&
           3L * ((s->ow - 1) * s->sw + 3) * s->co <= TINYCC_DW_ROWS);
#else
    (void)s;
    return 0;
#endif
}

static inline void tinycc_depthwise_conv_2d_s8_fast(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                                    const int32_t *bias, const int32_t *kbias, int8_t *out,
                                                    int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                                    const int32_t *shift, int32_t act_min, int32_t act_max) {
    int b, oy, ox0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
#if TINYCC_DW_RING
    if (tinycc_dw_rows_fit(s)) {
        tinycc_dw_s8_rows(s, NULL, in, filter, kbias, out, NULL, in_zp, out_zp, act_min, act_max);
        return;
    }
#endif
#ifdef TINYCC_DW_V6M   /* ARMv6-M: small planes a channel at a time (depthwise_conv_2d_v6m.h) */
    if (tinycc_dw_v6m_pw(s)) {
        tinycc_dw_s8_v6m(s, in, filter, kbias, out, in_zp, out_zp, act_min, act_max, tinycc_dw_v6m_pw(s));
        return;
    }
#endif
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_depthwise_conv_2d_s8_fast_row(s, in, filter, bias, kbias, out + (long)(b * s->oh + oy) * s->ow * s->co,
                                             b, oy, ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
}

/* In place (kernels/inplace.h): the output over its input `buf` (batch 1), rows through the ring */
static inline void tinycc_depthwise_conv_2d_s8_fast_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                            int8_t *buf, const int8_t *filter, const int32_t *bias,
                                                            const int32_t *kbias, int8_t *ring, int32_t in_zp,
                                                            int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                                            int32_t act_min, int32_t act_max) {
    int ox0, step, first = tinycc_ring_start(r), count = 0;
    const int ox1 = tinycc_interior_cols(s->ow, s->sw, s->pad_l, s->kw, s->w, &ox0);
#if TINYCC_DW_RING
    if (tinycc_dw_rows_fit(s)) {
        tinycc_dw_s8_rows(s, r, buf, filter, kbias, buf, ring, in_zp, out_zp, act_min, act_max);
        return;
    }
#endif
#ifdef TINYCC_DW_V6M   /* in place: channel c's outputs written after its input is in the plane */
    if (tinycc_dw_v6m_pw(s)) {
        (void)ring, (void)first, (void)count, (void)step;
        tinycc_dw_s8_v6m(s, buf, filter, kbias, buf, in_zp, out_zp, act_min, act_max, tinycc_dw_v6m_pw(s));
        return;
    }
#endif
    for (step = 0; step < r->oh; ++step) {
        const int oy = tinycc_ring_row(r, step);
        tinycc_depthwise_conv_2d_s8_fast_row(s, buf, filter, bias, kbias, tinycc_ring_slot(r, ring, oy), 0, oy,
                                             ox0, ox1, in_zp, out_zp, mult, shift, act_min, act_max);
        tinycc_ring_flush(r, buf, ring, step, oy, &first, &count);
    }
}


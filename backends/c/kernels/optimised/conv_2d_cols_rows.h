/* every output channel of the np (1 or 2) pixels whose columns (g groups) are in c: outputs at o, o + co.
 * `wpk` (conv_2d.py's cols_words): the layer's zp2 = 2 out_zp + 1 and key, then per channel pair {kb0, kb1}, its
 * packed filter (2g words), then {W0, W1}; an odd last channel {kb}, its g words, {W}. kb = bias - in_zp *
 * sum(w), W tinycc_cols_rq's word. A pair's words are all loaded before its first output byte is stored
 * (an int8 store may alias them). */
#ifdef TINYCC_DSP
#define TINYCC_COLS_SAT(v) tinycc_cols_sat(v, clip, act_min, act_max)
#else
#define TINYCC_COLS_SAT(v) (int8_t)tinycc_clamp(v, act_min, act_max)
#endif
/* the requantisation tails a model's nodes reach (the emitter's #defines, conv_2d.py's _cols): 0 compiles
 * out the clipping-activation loop (TINYCC_COLS_CLIP), the odd last channel (TINYCC_COLS_ODD) or a pass of
 * one pixel (TINYCC_COLS_ONE: an odd row, or an odd count of pixels, or one past the three-pixel passes) */
#ifndef TINYCC_COLS_CLIP
#define TINYCC_COLS_CLIP 1
#endif
#ifndef TINYCC_COLS_ODD
#define TINYCC_COLS_ODD 1
#endif
#ifndef TINYCC_COLS_ONE
#define TINYCC_COLS_ONE 1
#endif
/* (outlined: inlined into a row loop, its assembly's 14 registers meet the loop's live values and GCC
 * finds no allocation once a model compiles out the other callers) */
TINYCC_COLS_OUTLINED void tinycc_cols_block(const tinycc_conv_shape *s, const tinycc_cols *c, int np, int g,
                                            const int32_t *wpk, int8_t *o, int32_t act_min, int32_t act_max) {
    const int co = s->co;
#ifdef TINYCC_DSP
    const int clip = TINYCC_COLS_CLIP && (act_min > -128 || act_max < 127);
#endif
    const int32_t zp2 = wpk[0], key = wpk[1], *w = wpk + 2;
    int8_t *op = o, *const end = o + (co & ~1);
    if (np == 2) {
#ifdef TINYCC_COLS_ASM
        if (!clip) {
            if (op != end) w = tinycc_cols_block2_asm(c, w, g, op, co, zp2, key);
            op = end;
        }
#endif
        for (; op != end; op += 2) {
            int32_t acc[4], m0, m1, v0, v1, v2, v3;
            acc[0] = acc[2] = w[0];
            acc[1] = acc[3] = w[1];
            w = tinycc_cols_2x2(c, w + 2, g, acc);
#ifdef TINYCC_MVE_COLS
            tinycc_mve_cols_out4(acc, w, zp2, key, op, co, act_min, act_max);   /* mve_conv_cols.h */
            w += 2;
            continue;
#endif
            m0 = w[0], m1 = w[1];
            w += 2;
            v0 = tinycc_cols_rq(acc[0], m0, zp2, key);
            v1 = tinycc_cols_rq(acc[1], m1, zp2, key);
            v2 = tinycc_cols_rq(acc[2], m0, zp2, key);
            v3 = tinycc_cols_rq(acc[3], m1, zp2, key);
            op[0] = TINYCC_COLS_SAT(v0);
            op[1] = TINYCC_COLS_SAT(v1);
            op[co] = TINYCC_COLS_SAT(v2);
            op[co + 1] = TINYCC_COLS_SAT(v3);
        }
    } else if (TINYCC_COLS_ONE) {
        for (; op != end; op += 2) {
            int32_t acc[2], v0, v1;
            const int32_t *q = w + 2 + 2 * g;
            acc[0] = w[0];
            acc[1] = w[1];
            tinycc_cols_1x2(c, w + 2, g, acc);
            v0 = tinycc_cols_rq(acc[0], q[0], zp2, key);
            v1 = tinycc_cols_rq(acc[1], q[1], zp2, key);
            w = q + 2;
            op[0] = TINYCC_COLS_SAT(v0);
            op[1] = TINYCC_COLS_SAT(v1);
        }
    }
    if (TINYCC_COLS_ODD && (co & 1)) {
        int32_t acc[2], v0, v1;
        const int32_t *q = w + 1 + g;
        acc[0] = acc[1] = w[0];
        tinycc_cols_nx1(c, w + 1, g, np, acc);
        v0 = tinycc_cols_rq(acc[0], q[0], zp2, key);
        v1 = tinycc_cols_rq(acc[1], q[0], zp2, key);
        op[0] = TINYCC_COLS_SAT(v0);
        if (np == 2) op[co] = TINYCC_COLS_SAT(v1);
    }
}
#undef TINYCC_COLS_SAT

/* output row oy's pixel ox into slot p: an `interior` one (its taps inside the input) from its kh rows at
 * xr straight from the input (whole groups), assembled in registers (3 rows of 9 bytes) or copied into
 * the patch after the columns; another through tinycc_cols_pixel */
TINYCC_COLS_INLINED void tinycc_cols_row_pixel(const tinycc_conv_shape *s, const int8_t *in, tinycc_cols *c, int8_t *patch,
                                         int p, int b, int oy, int ox, int interior, const int8_t *xr,
                                         int32_t in_zp) {
    const int L = s->kw * s->ci, rowstep = s->w * s->ci;
    int ky;
    if (!interior) {
        tinycc_cols_pixel(s, in, c, p, b, oy, ox, in_zp);
    } else if (!TINYCC_COLS_SPLIT || L % 4 == 0) {
        for (ky = 0; ky < s->kh; ++ky, xr += rowstep) tinycc_cols_widen(c, p, ky * (L / 4), xr, L);
#ifdef TINYCC_COLS_ROW9
    } else if (L == 9 && s->kh == 3) {
        tinycc_cols_row9(c, p, xr, rowstep);
#endif
    } else {
        for (ky = 0; ky < s->kh; ++ky, xr += rowstep) tinycc_cols_copy(patch + ky * L, xr, L);
        tinycc_cols_widen(c, p, 0, patch, (s->kh * L + 3) & ~3);
    }
}

#ifdef TINYCC_COLS3
/* the three-pixel assembly loop applies: no clipping activation, whole channel pairs, g groups in both
 * columns (the first one's with the mark after them: tinycc_cols_block3_asm) */
static inline int tinycc_cols3_fits(const tinycc_conv_shape *s, int g, int32_t act_min, int32_t act_max) {
    return s->co >= 2 && (!TINYCC_COLS_ODD || s->co % 2 == 0) &&
           (!TINYCC_COLS_CLIP || (act_min <= -128 && act_max >= 127)) && 16 * g + 4 <= TINYCC_COLS_B &&
           16 * g - 8 <= TINYCC_CONV_COLS_BYTES - TINYCC_COLS_B;
}

/* every output channel of the three pixels in slots 0, 1 and 2 (g groups): outputs at o, o + co, o + 2 co */
TINYCC_COLS_OUTLINED void tinycc_cols_block3(const tinycc_conv_shape *s, tinycc_cols *c, int g, const int32_t *wpk,
                                             int8_t *o) {
    c->w[4 * g] = INT32_MIN + 0x8000;     /* TINYCC_COLS3_MARK, 0x80008000 */
    (void)tinycc_cols_block3_asm(c, wpk + 2, g, o, s->co, wpk[0], wpk[1]);
}

/* nb blocks of three pixels of a pointwise layer (g groups a pixel) from the pixels at `in` and outputs at o on,
 * the next block 3 pixels on (back when `backward`), each widened into slots 0..2 (tinycc_cols_pw3_asm) */
TINYCC_COLS_OUTLINED void tinycc_cols_pw3(const tinycc_conv_shape *s, tinycc_cols *c, int g, const int32_t *wpk,
                                          int8_t *o, const int8_t *in, int nb, int backward) {
    c->w[4 * g] = INT32_MIN + 0x8000;     /* TINYCC_COLS3_MARK */
    tinycc_cols_pw3_asm(c, wpk + 2, g, o, s->co, wpk[0], wpk[1], in, nb, backward);
}
#if TINYCC_COLS_PWW
/* the pairs' words of wpk (co even, g groups) into `wide` with each group's two weight words widened to four:
 * SXTB16 and SXTB16 ROR 8 of channel 0's word, then of channel 1's (the taps' halves tinycc_cols_pw3w_asm
 * multiplies the slots' words by); kb0, kb1 and W0, W1 copied. co / 2 (4 g + 4) words */
TINYCC_COLS_OUTLINED void tinycc_cols_pww_widen(const int32_t *wpk, int co, int g, int32_t *wide) {
    const int32_t *w = wpk + 2;
    int pair;
    for (pair = 0; pair < co / 2; ++pair) {
        const int32_t *const end = w + 2 + 2 * g;
        wide[0] = w[0];
        wide[1] = w[1];
        w += 2, wide += 2;
        if (g >= 4) {       /* four groups a run in assembly, the rest here */
            tinycc_cols_pww_quads_asm(w, wide, g >> 2);
            w += 8 * (g >> 2), wide += 16 * (g >> 2);
        }
        for (; w != end; w += 2, wide += 4) {     /* a group: channel 0's word, channel 1's */
            const int32_t a = w[0], b = w[1];
            wide[0] = __sxtb16(a);
            wide[1] = tinycc_sxtb16_ror8(a);
            wide[2] = __sxtb16(b);
            wide[3] = tinycc_sxtb16_ror8(b);
        }
        wide[0] = w[0];
        wide[1] = w[1];
        w += 2, wide += 2;
    }
}

#ifdef TINYCC_COLS4
/* the four-pixel loop applies (tinycc_cols_pw4w_asm): no clipping activation, whole channel pairs, the four
 * pixels' groups and the mark after them in the column */
static inline int tinycc_cols4_fits(const tinycc_conv_shape *s, int32_t act_min, int32_t act_max) {
    return s->co >= 2 && s->co % 2 == 0 && (!TINYCC_COLS_CLIP || (act_min <= -128 && act_max >= 127)) &&
           8 * s->ci + 4 <= TINYCC_CONV_COLS_BYTES;
}

/* nb blocks of four pixels of a pointwise layer (g groups a pixel) from `in` and outputs at o on, the next block
 * 4 pixels on (back when `backward`), with the pairs' weights widened once into `wide` */
TINYCC_COLS_OUTLINED void tinycc_cols_pw4w(const tinycc_conv_shape *s, tinycc_cols *c, int g, const int32_t *wpk,
                                           int32_t *wide, int8_t *o, const int8_t *in, int nb, int backward) {
    tinycc_cols_pww_widen(wpk, s->co, g, wide);
    c->w[8 * g] = INT32_MIN + 0x8000;     /* TINYCC_COLS3_MARK after the four pixels' groups */
    tinycc_cols_pw4w_asm(c, wide, g, o, s->co, wpk[0], wpk[1], in, nb, backward);
}
#endif

#ifdef TINYCC_COLS3W
/* tinycc_cols_pw3 with the pairs' weights widened once into `wide` (tinycc_cols_pww_widen) */
TINYCC_COLS_OUTLINED void tinycc_cols_pw3w(const tinycc_conv_shape *s, tinycc_cols *c, int g, const int32_t *wpk,
                                           int32_t *wide, int8_t *o, const int8_t *in, int nb, int backward) {
    tinycc_cols_pww_widen(wpk, s->co, g, wide);
    c->w[4 * g] = INT32_MIN + 0x8000;     /* TINYCC_COLS3_MARK */
    tinycc_cols_pw3w_asm(c, wide, g, o, s->co, wpk[0], wpk[1], in, nb, backward);
}
#endif
#endif
#endif

/* output row oy of image b (ow * co bytes at `row`), two pixels a pass */
static inline void tinycc_conv_2d_s8_cols_row(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                              int8_t *row, int b, int oy, int32_t in_zp, int32_t act_min,
                                              int32_t act_max) {
    tinycc_cols c;
    const int L = s->kw * s->ci, k = s->kh * L, k4 = (k + 3) & ~3, iy0 = oy * s->sh - s->pad_t;
    const int xstep = s->sw * s->ci;
    int8_t *patch = (int8_t *)(void *)c.w + TINYCC_COLS_PATCH_AT(k4);   /* after the two columns */
    const int x0 = ((b * s->h + iy0) * s->w - s->pad_l) * s->ci;   /* pixel ox's patch: in + x0 + ox * xstep */
    int ox, ox0 = 0, ox1 = 0, p, np, n3 = 0;
    if ((!TINYCC_COLS_SPLIT || L % 4 == 0 || 5 * k4 <= TINYCC_CONV_COLS_BYTES) && iy0 >= 0 &&
        iy0 + s->kh <= s->h) {
        /* an interior row: its interior pixels widen their kh rows straight from the input when a row
         * is whole groups, else copy them into the patch after the columns (zeros after byte k, written
         * once) and widen that */
        const int32_t zero = 0;
        const int last = s->w + s->pad_l - s->kw;   /* pixels ox0 <= ox < ox1: 0 <= ox sw - pad_l <= last */
        ox0 = (s->pad_l + s->sw - 1) / s->sw;
        if (ox0 > s->ow) ox0 = s->ow;
        ox1 = last < 0 ? ox0 : last / s->sw + 1;
        if (ox1 > s->ow) ox1 = s->ow;
        if (ox1 < ox0) ox1 = ox0;
        if (TINYCC_COLS_SPLIT && L % 4 != 0) memcpy(patch + k4 - 4, &zero, 4);
    }
#ifdef TINYCC_COLS3
    if (tinycc_cols3_fits(s, k4 / 4, act_min, act_max) &&
        (!TINYCC_COLS_SPLIT || L % 4 == 0 || 5 * k4 <= TINYCC_COLS_B)) {
        n3 = s->ow / 3;             /* three pixels a pass, then pairs (an even count of them) */
        if ((s->ow - 3 * n3) & 1) --n3;
    }
#endif
    /* the passes of three pixels, then of two (the last of one when the row's width is odd), one copy of
     * the pixels' column code for both */
    for (ox = 0; ox < s->ow; ox += np) {
        np = ox < 3 * n3 ? 3 : ox + 1 < s->ow ? 2 : 1;
        for (p = 0; p < np; ++p)
            tinycc_cols_row_pixel(s, in, &c, patch, p, b, oy, ox + p, ox + p >= ox0 && ox + p < ox1,
                                  in + x0 + (ox + p) * xstep, in_zp);
#ifdef TINYCC_COLS3
        if (np == 3) {
            tinycc_cols_block3(s, &c, k4 / 4, wpk, row + ox * s->co);
            continue;
        }
#endif
        tinycc_cols_block(s, &c, np, k4 / 4, wpk, row + ox * s->co, act_min, act_max);
    }
}

/* the emitter's (conv_2d.py's whole_blocks): 0 when every pointwise node fits the three-pixel loop
 * (tinycc_cols3_fits) with its pixels whole blocks of three, so the pairs after the blocks compile out */
#ifndef TINYCC_COLS_PW_REST
#define TINYCC_COLS_PW_REST 1
#endif

/* a 1x1, stride-1 convolution whose pixels' channels are whole groups: one matrix product */
static inline int tinycc_cols_pointwise(const tinycc_conv_shape *s) {
    return s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->oh == s->h && s->ow == s->w && s->ci % 4 == 0;
}

/* every pixel in turn, two a pass across rows and images, first to last or (`backward`) last to
 * first. A pass widens both pixels' inputs before it writes their outputs, so `out` may be `in`
 * itself when the outputs never overtake the unread inputs: forward with co <= ci, backward with
 * co >= ci (in place without a ring). */
static inline void tinycc_conv_2d_s8_cols_pw(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                             int8_t *out, int backward, int32_t *wide, int32_t act_min,
                                             int32_t act_max) {
    tinycc_cols c;
    const long count = (long)s->n * s->h * s->w;
    long k;
    if (s->ci % 4 != 0 || s->ci <= 0) return;   /* callers check tinycc_cols_pointwise; said here, GCC sees rows are whole words */
#ifdef TINYCC_COLS_PW_V6M
    if (12 * s->ci <= TINYCC_CONV_COLS_BYTES) {   /* ARMv6-M: the paired int32 column (conv_2d_cols_v6m.h) */
        tinycc_conv_2d_s8_cols_pw_v6m(s, in, wpk, out, backward, c.w, act_min, act_max);
        return;
    }
#endif
    k = 0;
    (void)wide;     /* only the Cortex-M4 three- and four-pixel loops take it (TINYCC_COLS_PWW) */
#ifdef TINYCC_COLS4
    /* the weights widened in RAM (conv_2d.py's pww_bytes) and the pixels whole blocks of four */
    if (wide != NULL && count % 4 == 0 && tinycc_cols4_fits(s, act_min, act_max)) {
        const long i = backward ? count - 4 : 0;
        tinycc_cols_pw4w(s, &c, s->ci / 4, wpk, wide, out + i * s->co, in + i * s->ci, (int)(count / 4), backward);
        return;
    }
#endif
#ifdef TINYCC_COLS3
    /* three pixels a pass, then pairs (none when no node needs them: TINYCC_COLS_PW_REST 0) */
    if (!TINYCC_COLS_PW_REST || (tinycc_cols3_fits(s, s->ci / 4, act_min, act_max) && count >= 3)) {
        const long i = backward ? count - 3 : 0;
#ifdef TINYCC_COLS3W
        if (wide != NULL) {      /* the weights widened in RAM (conv_2d.py's pww_bytes) */
            tinycc_cols_pw3w(s, &c, s->ci / 4, wpk, wide, out + i * s->co, in + i * s->ci, (int)(count / 3),
                             backward);
        } else
#endif
        tinycc_cols_pw3(s, &c, s->ci / 4, wpk, out + i * s->co, in + i * s->ci, (int)(count / 3), backward);
        k = count - count % 3;
        if (!TINYCC_COLS_PW_REST) return;
    }
#endif
    for (; k < count; k += 2) {
        const int np = k + 1 < count ? 2 : 1;
        const long i = backward ? count - k - np : k;   /* the pass's first pixel */
        tinycc_cols_widen(&c, 0, 0, in + i * s->ci, s->ci);
        if (np == 2) tinycc_cols_widen(&c, 1, 0, in + (i + 1) * s->ci, s->ci);
        tinycc_cols_block(s, &c, np, s->ci / 4, wpk, out + i * s->co, act_min, act_max);
    }
}

/* pixel (b, oy, ox)'s column into slot p, as tinycc_conv_2d_s8_cols_row builds it (`patch`: after the
 * two columns, its zero word at k4 - 4 written) */
static inline void tinycc_cols_slot(const tinycc_conv_shape *s, const int8_t *in, tinycc_cols *c, int8_t *patch,
                                    int p, int b, int oy, int ox, int32_t in_zp) {
    const int L = s->kw * s->ci, k4 = (s->kh * L + 3) & ~3, iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l;
    const int interior = (!TINYCC_COLS_SPLIT || L % 4 == 0 || 5 * k4 <= TINYCC_CONV_COLS_BYTES) && iy0 >= 0 &&
                         iy0 + s->kh <= s->h && ix0 >= 0 && ix0 + s->kw <= s->w;
    tinycc_cols_row_pixel(s, in, c, patch, p, b, oy, ox, interior,
                          interior ? in + ((b * s->h + iy0) * s->w + ix0) * s->ci : in, in_zp);
}

/* every output pixel of every image in turn, two a pass (an odd-width row's last pixel with the next
 * row's first: their outputs are co bytes apart too) */
static inline void tinycc_conv_2d_s8_cols_flat(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                               int8_t *out, int32_t in_zp, int32_t act_min, int32_t act_max) {
    tinycc_cols c;
    const int k4 = (s->kh * s->kw * s->ci + 3) & ~3;
    int8_t *patch = (int8_t *)(void *)c.w + TINYCC_COLS_PATCH_AT(k4);
    const long count = (long)s->n * s->oh * s->ow;
    long k;
    int b = 0, oy = 0, ox = 0, p;
    if (5 * k4 <= TINYCC_CONV_COLS_BYTES) {
        const int32_t zero = 0;
        memcpy(patch + k4 - 4, &zero, 4);
    }
    for (k = 0; k < count; k += 2) {
        const int np = k + 1 < count ? 2 : 1;
        for (p = 0; p < np; ++p) {
            tinycc_cols_slot(s, in, &c, patch, p, b, oy, ox, in_zp);
            if (++ox == s->ow) {
                ox = 0;
                if (++oy == s->oh) oy = 0, ++b;
            }
        }
        tinycc_cols_block(s, &c, np, k4 / 4, wpk, out + k * s->co, act_min, act_max);
    }
}

/* the entries a model's nodes take (the emitter's #defines, conv_2d.py's cols_paths): 0 compiles one out;
 * rows and flat are each correct for every shape, pw only for tinycc_cols_pointwise ones */
#ifndef TINYCC_COLS_PW
#define TINYCC_COLS_PW 1
#endif
#ifndef TINYCC_COLS_ROWS
#define TINYCC_COLS_ROWS 1
#endif
#ifndef TINYCC_COLS_FLAT
#define TINYCC_COLS_FLAT 1
#endif
/* `wpk`: the packed filter with each channel pair's folded bias and requantisation words (tinycc_cols_block) */
static inline void tinycc_conv_2d_s8_cols(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                          int8_t *out, int32_t in_zp, int32_t act_min, int32_t act_max) {
    int b, oy;
    if (TINYCC_COLS_PW && (!(TINYCC_COLS_ROWS || TINYCC_COLS_FLAT) || tinycc_cols_pointwise(s))) {
        tinycc_conv_2d_s8_cols_pw(s, in, wpk, out, 0, NULL, act_min, act_max);
        return;
    }
#ifdef TINYCC_COLS_PW_V6M
    if (4 * TINYCC_COLS_V6M_S * ((s->kh * s->kw * s->ci + 3) & ~3) <= TINYCC_CONV_COLS_BYTES) {   /* ARMv6-M */
        tinycc_conv_2d_s8_cols_v6m(s, in, wpk, out, in_zp, act_min, act_max);
        return;
    }
#endif
    if (!TINYCC_COLS_ROWS || (TINYCC_COLS_FLAT && (s->ow & 1))) {   /* odd rows: pixels paired across rows */
        tinycc_conv_2d_s8_cols_flat(s, in, wpk, out, in_zp, act_min, act_max);
        return;
    }
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
        tinycc_conv_2d_s8_cols_row(s, in, wpk, out + (long)(b * s->oh + oy) * s->ow * s->co, b, oy, in_zp,
                                   act_min, act_max);
}


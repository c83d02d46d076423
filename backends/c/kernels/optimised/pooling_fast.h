/* Fast int8 AVERAGE_POOL_2D (needs dot_s8.h, pooling.h): TFLM's sums and rounding division of the
 * reference (pooling.h), the window summed four channels a word on a DSP core: SXTAB16 adds a
 * word's bytes 0 and 2 (1 and 3 after a rotation by 8) into two int16 halves, exact for windows of
 * at most 256 elements (|sum| <= 256 * 128: the emitter checks kh * kw <= 256). Eight channels a
 * pass (two words, four accumulators), then four, the last c % 4 channels as the reference. On
 * ARMv6-M a channel's window rows from one pointer; elsewhere the reference kernel runs. */
#ifndef TINYCC_POOL_ONE_WORD   /* 0: no layer of the model ends on a group of four channels (emitter) */
#define TINYCC_POOL_ONE_WORD 1
#endif
#ifndef TINYCC_POOL_REST       /* 0: every layer's channel count is a multiple of 4 (emitter) */
#define TINYCC_POOL_REST 1
#endif

#if defined(TINYCC_DSP) || defined(TINYCC_V6M_ASM)
static inline int32_t tinycc_pool_div(int32_t acc, int count, int32_t act_min, int32_t act_max) {
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return tinycc_clamp(acc, act_min, act_max);
}
#endif

#ifdef TINYCC_DSP
static inline int32_t tinycc_pool_half(int32_t v, int high) {
    return high ? (v >> 16) : (int32_t)(int16_t)v;
}

/* the window's sums of channels ch .. ch + 4 * nw - 1 (nw = 1 or 2 words), requantised to out */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void tinycc_pool_words(const int8_t *p, int rowstep, int pixstep, int rows, int cols, int nw,
                                     int8_t *o, int count, int32_t act_min, int32_t act_max) {
    int32_t e0 = 0, o0 = 0, e1 = 0, o1 = 0;
    int ky, kx, k;
    for (ky = 0; ky < rows; ++ky, p += rowstep) {
        const int8_t *q = p;
        if (nw == 2 || !TINYCC_POOL_ONE_WORD)
            for (kx = 0; kx < cols; ++kx, q += pixstep) {
                const int32_t v0 = tinycc_ld4(q), v1 = tinycc_ld4(q + 4);
                e0 = __sxtab16(e0, v0);
                o0 = __sxtab16(o0, tinycc_ror8(v0));
                e1 = __sxtab16(e1, v1);
                o1 = __sxtab16(o1, tinycc_ror8(v1));
            }
        else
            for (kx = 0; kx < cols; ++kx, q += pixstep) {
                const int32_t v0 = tinycc_ld4(q);
                e0 = __sxtab16(e0, v0);
                o0 = __sxtab16(o0, tinycc_ror8(v0));
            }
    }
    for (k = 0; k < 4 * nw; ++k) {   /* channel k: byte k % 4 of word k / 4 */
        const int32_t ev = k < 4 ? e0 : e1, od = k < 4 ? o0 : o1;
        const int32_t sum = tinycc_pool_half((k & 1) ? od : ev, (k & 2) != 0);
        o[k] = (int8_t)tinycc_pool_div(sum, count, act_min, act_max);
    }
}
#endif

static inline void tinycc_average_pool_2d_s8_fast(const tinycc_pool_shape *s, const int8_t *in, int8_t *out,
                                                  int32_t act_min, int32_t act_max) {
#ifdef TINYCC_DSP
    int b, oy, ox, ch, ky, kx;
    const int c = s->c, c4 = c & ~3;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox) {
        TINYCC_POOL_WINDOW
        const int rows = ky1 - ky0, cols = kx1 - kx0;
        int count = rows > 0 && cols > 0 ? rows * cols : 0;
        const int8_t *p = in + ((b * s->h + y0 + ky0) * s->w + x0 + kx0) * c;
        int8_t *o = out + ((b * s->oh + oy) * s->ow + ox) * c;
        if (count == 0) {         /* as the reference: a sum of 0 over a count of 1 */
            for (ch = 0; ch < c; ++ch) o[ch] = (int8_t)tinycc_clamp(0, act_min, act_max);
            continue;
        }
        for (ch = 0; ch + 8 <= c4; ch += 8) tinycc_pool_words(p + ch, s->w * c, c, rows, cols, 2, o + ch, count, act_min, act_max);
        if (TINYCC_POOL_ONE_WORD && ch < c4) tinycc_pool_words(p + ch, s->w * c, c, rows, cols, 1, o + ch, count, act_min, act_max), ch += 4;
        for (; TINYCC_POOL_REST && ch < c; ++ch) {
            int32_t acc = 0;
            for (ky = 0; ky < rows; ++ky)
                for (kx = 0; kx < cols; ++kx) acc += p[(ky * s->w + kx) * c + ch];
            o[ch] = (int8_t)tinycc_pool_div(acc, count, act_min, act_max);
        }
    }
#elif defined(TINYCC_V6M_ASM)
    /* ARMv6-M: a channel's window rows summed from one row pointer (the reference loop's index
     * arithmetic took 8.6 instructions an element on KWS's 25x5 global pool) */
    int b, oy, ox, ch, ky, kx;
    const int c = s->c;
    for (b = 0; b < s->n; ++b)
    for (oy = 0; oy < s->oh; ++oy)
    for (ox = 0; ox < s->ow; ++ox) {
        TINYCC_POOL_WINDOW
        const int rows = ky1 - ky0, cols = kx1 - kx0;
        const int count = rows > 0 && cols > 0 ? rows * cols : 0;
        int8_t *o = out + ((b * s->oh + oy) * s->ow + ox) * c;
        if (count == 0) {         /* as the reference: a sum of 0 over a count of 1 */
            for (ch = 0; ch < c; ++ch) o[ch] = (int8_t)tinycc_clamp(0, act_min, act_max);
            continue;
        }
        for (ch = 0; ch < c; ++ch) {
            const int8_t *p = in + ((b * s->h + y0 + ky0) * s->w + x0 + kx0) * c + ch;
            int32_t acc = 0;
            if (cols == s->w) {   /* whole input rows: one run of count pixels, four a pass, the last 0-3 */
                const int n4 = count & ~3;
                for (kx = 0; kx < n4; kx += 4) {
                    const int8_t *const q = p + kx * c;
                    acc += q[0] + q[c] + q[2 * c] + q[3 * c];
                }
                for (ky = 0; ky < (count & 3); ++ky) acc += p[(n4 + ky) * c];
            } else {
                for (ky = 0; ky < rows; ++ky)
                    for (kx = 0; kx < cols; ++kx) acc += p[(ky * s->w + kx) * c];
            }
            o[ch] = (int8_t)tinycc_pool_div(acc, count, act_min, act_max);
        }
    }
#else
    tinycc_average_pool_2d_s8(s, in, out, act_min, act_max);
#endif
}

/* Fast FULLY_CONNECTED with 4-bit weights (4w8a, weights zero point 0) on weights re-laid at compile time
 * (ops/_s4_fast.py s4_blocks): units in blocks of four, then the last units % 4 one by one, depth in
 * chunks of eight (zeros pad the last); word w[(b * chunks + c) * 4 + j] holds unit 4b + j's values at
 * depths 8c + t (a last unit's words follow each other), value t in the nibble at bit TINYCC_S4_POS[t]. On a Cortex-M DSP core one AND with
 * 0xF000F000 of the word shifted left by 0, 4, 8 and 12 gives the halfword pairs 4096 [w0, w2],
 * 4096 [w1, w3], 4096 [w4, w6], 4096 [w5, w7] (exact int16 values: the nibble's sign bit on top), which
 * SMLAD multiplies with the input's SXTB16 pairs [x0, x2], [x1, x3], [x4, x6], [x5, x7]: per eight
 * depths of the four units two input loads and four SXTB16s, then a load, four ANDs (shifted operand)
 * and four SMLADs a unit. The 4096ths of TINYCC_S4_FLUSH chunks (256 depths: at most
 * 256 * 8 * 128 * 4096 = 2^30 in magnitude) stay inside int32 and divide by 4096 exactly before they are
 * added to the sums. The input offset is in the folded bias `kbias` (bias - in_zp * sum(w), padded to
 * whole blocks; requant.fold: no sum leaves int32), the requantisation fully_connected_w4.h's
 * (tinycc_fc_store: rq words, mode). Needs dot_s8.h and fully_connected.h before. */
#include <string.h>
#define TINYCC_S4_FLUSH 32     /* chunks of eight depths summed in 4096ths before they are added */
#if defined(TINYCC_DSP) && !defined(__ARM_BIG_ENDIAN)
#define TINYCC_S4_DSP 1
#define TINYCC_S4_SCALE 4096
#else
#define TINYCC_S4_SCALE 1
#endif

#ifdef TINYCC_S4_DSP
/* p + 4096 * (a unit's word v . the chunk's input pairs) */
static inline int32_t tinycc_s4_mac(uint32_t v, int32_t xe0, int32_t xo0, int32_t xe1, int32_t xo1, int32_t p) {
    const uint32_t m = 0xF000F000u;
    p = __smlad(xe0, (int32_t)(v & m), p);
    p = __smlad(xo0, (int32_t)((v << 4) & m), p);
    p = __smlad(xe1, (int32_t)((v << 8) & m), p);
    return __smlad(xo1, (int32_t)((v << 12) & m), p);
}
/* One chunk of eight input bytes against the block's four words in Thumb-2: the input's two words loaded
 * back to back and widened (four SXTB16), then per unit its word, four ANDs with the mask register (the
 * word shifted by the operand: one instruction each, where C gets a shift and an AND with an immediate)
 * and four SMLADs: 42 instructions for 32 multiply-accumulates, 14 registers. */
#define TINYCC_S4_UNIT(A) \
    "ldr    %[v], [%[w]], #4\n\t" \
    "and    %[t], %[m], %[v]\n\t" \
    "smlad  %[" A "], %[xe0], %[t], %[" A "]\n\t" \
    "and    %[t], %[m], %[v], lsl #4\n\t" \
    "smlad  %[" A "], %[xo0], %[t], %[" A "]\n\t" \
    "and    %[t], %[m], %[v], lsl #8\n\t" \
    "smlad  %[" A "], %[xe1], %[t], %[" A "]\n\t" \
    "and    %[t], %[m], %[v], lsl #12\n\t" \
    "smlad  %[" A "], %[xo1], %[t], %[" A "]\n\t"
#define TINYCC_S4_CHUNK \
    "ldr    %[t], [%[x]], #4\n\t" \
    "ldr    %[v], [%[x]], #4\n\t" \
    "sxtb16 %[xe0], %[t]\n\t" \
    "sxtb16 %[xo0], %[t], ror #8\n\t" \
    "sxtb16 %[xe1], %[v]\n\t" \
    "sxtb16 %[xo1], %[v], ror #8\n\t" \
    TINYCC_S4_UNIT("a0") TINYCC_S4_UNIT("a1") TINYCC_S4_UNIT("a2") TINYCC_S4_UNIT("a3")
#define TINYCC_S4_OPERANDS \
    : [a0] "+r"(p0), [a1] "+r"(p1), [a2] "+r"(p2), [a3] "+r"(p3), [x] "+r"(x), [w] "+r"(w), [xe0] "=&r"(xe0), \
      [xo0] "=&r"(xo0), [xe1] "=&r"(xe1), [xo1] "=&r"(xo1), [v] "=&r"(v), [t] "=&r"(t) \
    : [m] "r"(0xF000F000u)
#endif

/* p + TINYCC_S4_SCALE * (a unit's word v . x[0..7]) */
static inline int32_t tinycc_s4_mac8(uint32_t v, const int8_t *x, int32_t p) {
#ifdef TINYCC_S4_DSP
    const int32_t a = tinycc_ld4(x), b = tinycc_ld4(x + 4);
    return tinycc_s4_mac(v, __sxtb16(a), tinycc_sxtb16_ror8(a), __sxtb16(b), tinycc_sxtb16_ror8(b), p);
#else
    static const unsigned char pos[8] = {12, 8, 28, 24, 4, 0, 20, 16};    /* TINYCC_S4_POS */
    int t;
    for (t = 0; t < 8; ++t) p += ((int32_t)(((v >> pos[t]) & 15u) ^ 8u) - 8) * x[t];
    return p;
#endif
}

/* acc[j] += unit j of the block . x over `chunks` chunks of eight depths; returns w past them */
static inline const int32_t *tinycc_s4_dot4(const int32_t *w, const int8_t *x, int chunks, int32_t *acc) {
    while (chunks > 0) {
        const int n = chunks > TINYCC_S4_FLUSH ? TINYCC_S4_FLUSH : chunks;
        int32_t p0 = 0, p1 = 0, p2 = 0, p3 = 0;
#ifdef TINYCC_S4_DSP
        int32_t xe0, xo0, xe1, xo1, v, t;
        const int8_t *const x4 = x + 8 * (n & ~3), *const xn = x + 8 * n;
        if (x != x4)        /* four chunks a turn */
            __asm__("1:\n\t" TINYCC_S4_CHUNK TINYCC_S4_CHUNK TINYCC_S4_CHUNK TINYCC_S4_CHUNK
                    "cmp    %[x], %[end]\n\t"
                    "bne    1b\n\t"
                    TINYCC_S4_OPERANDS, [end] "r"(x4) : "cc", "memory");
        while (x != xn) __asm__(TINYCC_S4_CHUNK TINYCC_S4_OPERANDS : "memory");
#else
        int c;
        for (c = 0; c < n; ++c, x += 8, w += 4) {
            p0 = tinycc_s4_mac8((uint32_t)w[0], x, p0);
            p1 = tinycc_s4_mac8((uint32_t)w[1], x, p1);
            p2 = tinycc_s4_mac8((uint32_t)w[2], x, p2);
            p3 = tinycc_s4_mac8((uint32_t)w[3], x, p3);
        }
#endif
        chunks -= n;
        acc[0] += p0 / TINYCC_S4_SCALE;      /* exact: multiples of the scale */
        acc[1] += p1 / TINYCC_S4_SCALE;
        acc[2] += p2 / TINYCC_S4_SCALE;
        acc[3] += p3 / TINYCC_S4_SCALE;
    }
    return w;
}

/* *acc += one unit . x over `chunks` chunks of eight depths; returns w past them */
static inline const int32_t *tinycc_s4_dot1(const int32_t *w, const int8_t *x, int chunks, int32_t *acc) {
    int c = 0;
    while (c < chunks) {
        const int end = chunks - c > TINYCC_S4_FLUSH ? c + TINYCC_S4_FLUSH : chunks;
        int32_t p = 0;
        for (; c < end; ++c, x += 8) p = tinycc_s4_mac8((uint32_t)*w++, x, p);
        *acc += p / TINYCC_S4_SCALE;
    }
    return w;
}

/* one input row x of `depth` bytes against every unit (out: `units` bytes) */
static inline void tinycc_fc_s4_row(int units, int depth, const int8_t *x, const int32_t *w, const int32_t *kbias,
                                    int8_t *out, int32_t out_zp, const int32_t *rq, int rq_step, int mode,
                                    int32_t act_min, int32_t act_max) {
    const int chunks = depth >> 3;
    int8_t last[8] = {0, 0, 0, 0, 0, 0, 0, 0};      /* the last depth % 8 bytes: never read past the input */
    const int32_t *q = rq, *kb = kbias;
    int n;
    if (depth & 7) memcpy(last, x + 8 * chunks, (size_t)(depth & 7));
    for (n = units >> 2; n > 0; --n, kb += 4, out += 4, q += 4 * rq_step) {
        int32_t acc[4];
        acc[0] = kb[0], acc[1] = kb[1], acc[2] = kb[2], acc[3] = kb[3];
        w = tinycc_s4_dot4(w, x, chunks, acc);
        if (depth & 7) w = tinycc_s4_dot4(w, last, 1, acc);
        tinycc_fc_store(out, acc, 4, out_zp, q, rq_step, mode, act_min, act_max);
    }
    for (n = units & 3; n > 0; --n, ++kb, ++out, q += rq_step) {
        int32_t acc[4] = {0, 0, 0, 0};      /* tinycc_fc_store's mode 2 reads four */
        acc[0] = kb[0];
        w = tinycc_s4_dot1(w, x, chunks, acc);
        if (depth & 7) w = tinycc_s4_dot1(w, last, 1, acc);
        tinycc_fc_store(out, acc, 1, out_zp, q, rq_step, mode, act_min, act_max);
    }
}

static inline void tinycc_fully_connected_s4_fast(int rows, int units, int depth, const int8_t *in, const int32_t *w,
                                                  const int32_t *kbias, int8_t *out, int32_t out_zp,
                                                  const int32_t *rq, int rq_step, int mode,
                                                  int32_t act_min, int32_t act_max) {
    int r;
    for (r = 0; r < rows; ++r)
        tinycc_fc_s4_row(units, depth, in + (long)r * depth, w, kbias, out + (long)r * units, out_zp, rq, rq_step,
                         mode, act_min, act_max);
}

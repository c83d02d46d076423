/* ---- a shallow-input int8 convolution: 3x3 filter over 3 input channels, stride 2 or 1 (an image model's
 * first layer: VWW's 96x96 RGB, stride 2; ResNet-8's 32x32, stride 1; needs dot_s8.h and conv_2d.h) ----
 * The input's rows are widened to int16 once per output row into slots 0-2 (TINYCC_SH_ROWB bytes each, taps
 * outside the input set to in_zp, so with the folded bias they add f * 0 as TFLM's skipped taps), for a
 * chunk of up to TINYCC_SH_PX output pixels of a phase (tinycc_conv_2d_s8_shallow: with stride 1 the even and
 * the odd pixels): slot K holds input row oy sh - pad_t + K, from the phase's first pixel's first column on, its 3 channels interleaved as in the input (with stride 2 the next output row copies slot 2
 * to slot 0: they share that row). Output pixel p of the chunk reads, in each slot, the 9 halfwords from 6 p on
 * (4-byte aligned: the stride is 2 pixels): rows 0 and 1 as 4 pairs each and their 9th taps as one pair
 * that slot 3 holds at 6 p, row 2 as 5 pairs (the 10th halfword, the next pixel's first tap, against a
 * weight 0). So a channel's 27 taps are 14 int16 pairs, one SMLAD each, with no patch built per pixel.
 * `wq` (ops/_conv_shallow.py's shallow_words): the layer's zp2 = 2 out_zp + 1 and key, then per output channel
 * pair (co even) 34 words: kb0, kb1 (the folded biases, bias - in_zp * sum(w)), 14 x (w0, w1) (the two
 * channels' tap pairs in that order, as the low and high int16 halves), then W0, h0, W1, h1: the im2col
 * kernels' one-word requantisation (tinycc_cols_rq, conv_2d_cols.h: its shift s = (W ^ key) & 31) and
 * h = zp2 << s worked out at compile time. Outputs
 * saturate to int8 only: the emitter takes the kernel for an activation range of the whole int8 range alone.
 * Mode z0 (TINYCC_SH_RQW 0 and TINYCC_SH_ZS = t - 1: every shallow node has output zero point -128, as ReLU's,
 * and one t): with TFLM's multiplier M in [2^30, 2^31) and right shift r >= 1 per channel, e = t - r in [2, 8],
 * channel c's filter and folded bias scaled by 2^e (int16 taps; the emitter checks |acc 2^e| < 2^31 for every
 * partial sum), words M, Ra = 2^(e-2) + 2^(t-2) - 2^(t+6) in place of W, h: an output SSAT8(SMMLA(acc 2^e, M,
 * Ra) >> (t - 1)), SSAT's own shift: 2 instructions for 4. Exact: TFLM's output is RDBPOT(S, r) - 128 clamped,
 * S = SRDHM(acc, M) = floor((acc M + 2^30) / 2^31) for every acc (the nudge 1 - 2^30 of a negative product with
 * C's truncation is that floor too); for S >= 0 RDBPOT rounds half up: floor((S + 2^(r-1)) / 2^r) =
 * floor((acc M + 2^30 + 2^(30+r)) / 2^(31+r)) (floors of floors with integer addends), = floor(N / 2^(31+t))
 * with N = acc 2^e M + 2^(30+e) + 2^(30+t), and N - 128 2^(31+t) = acc 2^e M + Ra 2^32 (e >= 2: each term a
 * multiple of 2^32); SMMLA is floor of that / 2^32 (no wrap: the emitter checks |Ra| + |acc 2^e| / 2 + 2 <
 * 2^31), ASR t - 1 the rest. For S < 0 both are at most -128 (RDBPOT(S) <= 0; floor((S + 2^(r-1)) / 2^r) <= 0),
 * which saturates to -128 either way. A constant channel (its filter zeros) has M = 0, Ra = c 2^(t-1).
 * On a Cortex-M4 (Thumb-2 with the DSP extension) an assembly loop takes four pixels by two channels
 * (tinycc_sh_blocks_asm); on ARMv6-M the im2col kernel's Thumb loops (tinycc_conv_2d_s8_cols_v6m, its
 * words `wpk` passed beside); elsewhere the same sums in portable C. */
/* output pixels a chunk (a multiple of 4, at most 48): the emitter's #define, the most any shallow node's row of
 * a phase takes (VWW's 48: one chunk a row; ResNet-8's 16 a phase: smaller slots) */
#ifndef TINYCC_SH_PX
#define TINYCC_SH_PX 32
#endif
#define TINYCC_SH_ROWB (12 * TINYCC_SH_PX + 12)    /* bytes a widened row: (6 TINYCC_SH_PX + 4) int16, 4 to spare */
/* whether some shallow node needs the words' W, h form (the emitter's #define): 0, every node's in mode z0 */
#ifndef TINYCC_SH_RQW
#define TINYCC_SH_RQW 1
#endif
#ifndef TINYCC_SH_ZS
#define TINYCC_SH_ZS 0                  /* mode z0's shift t - 1 (the emitter's: 0 where nodes differ) */
#endif
#if !TINYCC_SH_RQW && TINYCC_SH_ZS
#define TINYCC_SH_Z0 1
#define TINYCC_SH_WQ(z0, w) (z0)        /* the call's words: mode z0's, or the node's W, h form */
#else
#define TINYCC_SH_Z0 0
#define TINYCC_SH_WQ(z0, w) (w)
#endif
#define TINYCC_SH_PAIR_WORDS 34         /* wq's words a channel pair (after the layer's 2) */
#define TINYCC_SH_MAXCO 64              /* output channels at most (the tail block's stack buffer) */
#define TINYCC_SH_STR_(x) #x
#define TINYCC_SH_STR(x) TINYCC_SH_STR_(x)
/* whether a node's output zero point lies above -128 (the emitter's #define): then a negative
 * requantised sum needs TFLM's rounding away from zero; else every such sum clamps to -128 either way */
#ifndef TINYCC_SHALLOW_NEG
#define TINYCC_SHALLOW_NEG 1
#endif
/* whether a node has stride 2 (the emitter's #define, ops/_conv_shallow.py: 0 compiles out the copy of the
 * last output row's bottom slot into the next one's top slot, which is then widened again) */
/* the step between a pixel's outputs and the next's (co, or 2 co with stride 1) where every shallow node has the
 * same one (the emitter's #define: immediate offsets in the assembly's stores), else 0 (the step passed) */
#ifndef TINYCC_SH_STEP
#define TINYCC_SH_STEP 0
#endif
#ifndef TINYCC_SH_S2
#define TINYCC_SH_S2 1
#endif

/* the widened rows' slots, 6: an output row takes 4 from its slot 0 on (three rows and slot 3). Stride 2: an odd
 * output row slots 2-5 (its top row, slot 2, is the last row's bottom one), an even one slots 0-3 (slot 4 copied
 * to 0). Stride 1: each row of a phase one slot on from the last (its two top rows the last's two bottom ones,
 * one row widened), after slot 2 back to 0 (slots 3, 4 copied to 0, 1) */
#define TINYCC_SH_SLOTS 6
typedef union {
    int32_t w[TINYCC_SH_SLOTS * TINYCC_SH_ROWB / 4];
    int16_t h[TINYCC_SH_SLOTS * TINYCC_SH_ROWB / 2];
} tinycc_sh_rows;

#if defined(TINYCC_DSP) && defined(__thumb2__) && !defined(__ARM_BIG_ENDIAN)
/* 16 k int8 at x widened to int16 at d, 32 a pass (16 first where k is odd): each word's SXTB16 pairs (0, 2),
 * (1, 3) repacked by PKHBT / PKHTB as (0, 1), (2, 3); each 16's four loads back to back (64 cycles for 32) */
static inline void tinycc_sh_widen16(const int8_t *x, int16_t *d, int k) {
    int32_t a, b, c, e, t0, t1;
#define TINYCC_SH_WORD(V, OFF) \
    "sxtb16 %[t0], %[" V "]\n\t" \
    "sxtb16 %[t1], %[" V "], ror #8\n\t" \
    "pkhbt %[" V "], %[t0], %[t1], lsl #16\n\t" \
    "pkhtb %[t1], %[t1], %[t0], asr #16\n\t" \
    "str %[" V "], [%[d], #" OFF "]\n\t" \
    "str %[t1], [%[d], #" OFF "+4]\n\t"
/* 16 bytes from x + XO to d + 2 XO */
#define TINYCC_SH_W16(XO, D0, D1, D2, D3) \
    "ldr %[a], [%[x], #" XO "]\n\t" \
    "ldr %[b], [%[x], #" XO "+4]\n\t" \
    "ldr %[c], [%[x], #" XO "+8]\n\t" \
    "ldr %[e], [%[x], #" XO "+12]\n\t" \
    TINYCC_SH_WORD("a", D0) TINYCC_SH_WORD("b", D1) TINYCC_SH_WORD("c", D2) TINYCC_SH_WORD("e", D3)
    __asm__ volatile(
        "lsrs %[k], %[k], #1\n\t"           /* k / 2 passes of 32; carry: one of 16 first */
        "bcc 2f\n\t"
        TINYCC_SH_W16("0", "0", "8", "16", "24")
        "adds %[x], %[x], #16\n\t"
        "adds %[d], %[d], #32\n\t"
        "cmp %[k], #0\n\t"
        "beq 3f\n\t"
        "2:\n\t"
        TINYCC_SH_W16("0", "0", "8", "16", "24")
        TINYCC_SH_W16("16", "32", "40", "48", "56")
        "adds %[x], %[x], #32\n\t"
        "adds %[d], %[d], #64\n\t"
        "subs %[k], %[k], #1\n\t"
        "bne 2b\n\t"
        "3:\n\t"
        : [x] "+r"(x), [d] "+r"(d), [k] "+r"(k), [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [e] "=&r"(e),
          [t0] "=&r"(t0), [t1] "=&r"(t1)
        :
        : "cc", "memory");
#undef TINYCC_SH_W16
#undef TINYCC_SH_WORD
}
#define TINYCC_SH_WIDEN16 1
#endif

/* n int16 of input row iy of image b into d, from input column ix0 on: taps outside the input in_zp */
static inline void tinycc_sh_widen(const tinycc_conv_shape *s, const int8_t *in, int b, int iy, int ix0, int16_t *d,
                                   int n, int32_t in_zp) {
    const int16_t z = (int16_t)in_zp;
    int lo = 0, hi = 0, i;          /* halfwords [lo, hi) come from the input */
    if (iy >= 0 && iy < s->h) {
        lo = ix0 < 0 ? -3 * ix0 : 0;
        hi = 3 * (s->w - ix0);
        if (lo > n) lo = n;
        if (hi > n) hi = n;
        if (hi < lo) hi = lo;
    }
    for (i = 0; i < lo; ++i) d[i] = z;                              /* left of column 0 */
    if (hi > lo) {      /* from column max(ix0, 0) on */
        const int8_t *x = in + ((long)(b * s->h + iy) * s->w + (ix0 < 0 ? 0 : ix0)) * 3;
        int16_t *e = d + lo;
        const int m = hi - lo;
        int j = 0;
#ifdef TINYCC_SH_WIDEN16
        if (m >= 16) tinycc_sh_widen16(x, e, m >> 4);
        j = m & ~15;
#endif
        for (; j < m; ++j) e[j] = x[j];
    }
    for (i = hi; i < n; ++i) d[i] = z;                              /* right of the input, or a padding row */
}

/* n int32 from x to d (no overlap): with Thumb-2, 8 a pass by LDM / STM (22 cycles for 32 bytes) */
static inline void tinycc_sh_copy(int32_t *d, const int32_t *x, int n) {
    int i = 0;
#if defined(__thumb2__) && defined(__OPTIMIZE__) && !defined(TINYCC_NO_ASM)
    if (n >= 8) {
        int k = n >> 3;
        __asm__ volatile(
            "1:\n\t"
            "ldmia %[x]!, {r2, r3, r4, r5, r6, r8, r10, r12}\n\t"
            "stmia %[d]!, {r2, r3, r4, r5, r6, r8, r10, r12}\n\t"
            "subs %[k], %[k], #1\n\t"
            "bne 1b\n\t"
            : [x] "+r"(x), [d] "+r"(d), [k] "+r"(k)
            :
            : "r2", "r3", "r4", "r5", "r6", "r8", "r10", "r12", "cc", "memory");
        i = n & ~7;
        n -= i;
        i = 0;
    }
#endif
    for (; i < n; ++i) d[i] = x[i];
}

/* tinycc_cols_rq (conv_2d_cols.h) for the word m and the layer's zp2 and key, saturated to int8 (the emitter's
 * TINYCC_COLS_KEY counts this node's key: conv_2d.cols_constants); a core with neither its SMMLAR nor its
 * ARMv6-M product (Cortex-M3, a host) takes one 32-bit by 32-bit product where tinycc_cols_rq's portable line
 * multiplies 64 by 64 bits */
static inline int8_t tinycc_sh_rq(int32_t acc, int32_t m, int32_t zp2, int32_t key) {
#if defined(TINYCC_DSP) || defined(__ARM_ARCH_6M__)
    const int32_t x = tinycc_cols_rq(acc, m, zp2, key);
#else   /* its high product in one 32x32 -> 64 multiply: acc (M2 + 2^32) + 2^31 >> 32 = acc + (acc M2 + 2^31 >> 32) */
    const int s = (m ^ (TINYCC_COLS_KEY ? key : 0)) & 31;
    const int32_t h = (int32_t)((uint32_t)zp2 << s);    /* the emitter checks |h| < 2^31 */
    int32_t x = (int32_t)((uint32_t)acc + (uint32_t)(int32_t)(((int64_t)acc * m + 2147483648LL) >> 32));
    x = ((x + h + (x >> 31)) >> s) >> 1;
#endif
    return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x);
}

/* mode z0's output from the scaled sum a and a channel's M, Ra at m: SSAT8(SMMLA(a, M, Ra) >> (t - 1)) */
static inline int8_t tinycc_sh_rq_z0(int32_t a, const int32_t *m) {
    const int32_t x = (int32_t)(((int64_t)a * m[0] + (int64_t)m[1] * 4294967296LL) >> 32) >> TINYCC_SH_ZS;
    return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x);
}

/* nb blocks of 4 pixels (x: the first one's halfwords in slot 0, 6 int16 a pixel), every channel pair (wq: the
 * layer's words, its pairs' from wq + 2):
 * pixel p's outputs at op + p step; a pair's 28 taps unpacked once a block, the 14 tap pairs unrolled
 * (TINYCC_SH_TAP's slots and pairs: K TINYCC_SH_ROWB / 2 + 2 T int16 on) */
static inline void tinycc_sh_blocks_c(const int16_t *x, const int32_t *wq, int8_t *op, int co, int step, int nb) {
    int blk, c, p, j;
    int16_t f[56];
    const int32_t zp2 = wq[0], key = wq[1];
    for (blk = 0; blk < nb; ++blk, x += 24, op += 4 * step) {
        const int32_t *w = wq + 2;
        for (c = 0; c < co; c += 2, w += TINYCC_SH_PAIR_WORDS) {
            for (j = 0; j < 14; ++j) {      /* channel 0's taps, then channel 1's, in the halfwords' order */
                const uint32_t v = (uint32_t)w[2 + 2 * j], u = (uint32_t)w[3 + 2 * j];
                f[2 * j] = (int16_t)(v & 0xffffu);
                f[2 * j + 1] = (int16_t)(v >> 16);
                f[28 + 2 * j] = (int16_t)(u & 0xffffu);
                f[29 + 2 * j] = (int16_t)(u >> 16);
            }
            for (p = 0; p < 4; ++p) {
                const int16_t *v = x + 6 * p;
                int32_t a0 = w[0], a1 = w[1];
#define TINYCC_SH_CTAP(J, OFF) \
                a0 += f[2 * (J)] * v[OFF] + f[2 * (J) + 1] * v[(OFF) + 1]; \
                a1 += f[28 + 2 * (J)] * v[OFF] + f[29 + 2 * (J)] * v[(OFF) + 1];
                TINYCC_SH_CTAP(0, 0) TINYCC_SH_CTAP(1, 2) TINYCC_SH_CTAP(2, 4) TINYCC_SH_CTAP(3, 6)
                TINYCC_SH_CTAP(4, TINYCC_SH_ROWB / 2) TINYCC_SH_CTAP(5, TINYCC_SH_ROWB / 2 + 2)
                TINYCC_SH_CTAP(6, TINYCC_SH_ROWB / 2 + 4) TINYCC_SH_CTAP(7, TINYCC_SH_ROWB / 2 + 6)
                TINYCC_SH_CTAP(8, 3 * (TINYCC_SH_ROWB / 2)) TINYCC_SH_CTAP(9, TINYCC_SH_ROWB)
                TINYCC_SH_CTAP(10, TINYCC_SH_ROWB + 2) TINYCC_SH_CTAP(11, TINYCC_SH_ROWB + 4)
                TINYCC_SH_CTAP(12, TINYCC_SH_ROWB + 6) TINYCC_SH_CTAP(13, TINYCC_SH_ROWB + 8)
#undef TINYCC_SH_CTAP
#if !TINYCC_SH_Z0
                op[p * step + c] = tinycc_sh_rq(a0, w[30], zp2, key);
                op[p * step + c + 1] = tinycc_sh_rq(a1, w[32], zp2, key);
#else
                op[p * step + c] = tinycc_sh_rq_z0(a0, w + 30);
                op[p * step + c + 1] = tinycc_sh_rq_z0(a1, w + 32);
                (void)zp2;
                (void)key;
#endif
            }
        }
    }
}

#if defined(TINYCC_DSP) && defined(__thumb2__) && !defined(__ARM_BIG_ENDIAN)
#define TINYCC_SH_ASM 1
/* tinycc_sh_blocks_c in one assembly loop: four pixels by two channels a pass, the 14 tap pairs unrolled
 * (each: the pair's two weight words and pixels 0 and 1's column words, 4 SMLAD, pixels 2 and 3's words, 4
 * SMLAD: 6 loads in two runs, 16 cycles for 16 MACs); the first pair's SMLADs start from the folded
 * biases (two loads). Then a channel's s = (W ^ key) & 31 (as cheap as a load of it beside W and h), and its 4 outputs:
 * SMMLAR, (ADD ASR #31,) ADD h, ASR s, SSAT ASR #1, STRB. The 14 registers hold 8 accumulators, the two
 * pointers, two weight and two column words; the output pointer, the step between pixels' outputs, the pairs'
 * end, the blocks' end, the first pair, the block's outputs and the key wait in 32 bytes the assembly takes
 * below the stack pointer (and gives back). */
#define TINYCC_SH_X(K, P, T) "[%[x], #(" #K "*" TINYCC_SH_STR(TINYCC_SH_ROWB) "+12*" #P "+4*" #T ")]"
/* tap pair J's two weight words (the two channels') */
#define TINYCC_SH_W(J) "ldr %[t0], [%[w], #(8+8*" #J ")]\n\t" "ldr %[t1], [%[w], #(12+8*" #J ")]\n\t"
/* slot K pair T's column words of pixels PA and PB, 4 SMLAD: the accumulators named DB, then DA (channels 0, 1)
 * from those named SB, SA */
#define TINYCC_SH_HALF(K, T, PA, PB, DA, DB, SA, SB) \
    "ldr %[u0], " TINYCC_SH_X(K, PA, T) "\n\t" \
    "ldr %[u1], " TINYCC_SH_X(K, PB, T) "\n\t" \
    "smlad %[" DB "0], %[u1], %[t0], %[" SB "0]\n\t" \
    "smlad %[" DB "1], %[u1], %[t1], %[" SB "1]\n\t" \
    "smlad %[" DA "0], %[u0], %[t0], %[" SA "0]\n\t" \
    "smlad %[" DA "1], %[u0], %[t1], %[" SA "1]\n\t"
/* tap pair J (slot K, pair T): its weight words and pixels 0 and 1's column words, 4 SMLAD, pixels 2 and 3's */
#define TINYCC_SH_TAP(J, K, T) \
    TINYCC_SH_W(J) TINYCC_SH_HALF(K, T, 0, 1, "a0", "a1", "a0", "a1") TINYCC_SH_HALF(K, T, 2, 3, "a2", "a3", "a2", "a3")
/* the first tap pair: kb0, kb1 in a00, a01 (loaded once) start every pixel's sums: pixels 2 and 1 first, then
 * 3 and 0 (a00, a01 read before they move on) */
#define TINYCC_SH_TAP0 \
    "ldr %[a00], [%[w]]\n\t" "ldr %[a01], [%[w], #4]\n\t" TINYCC_SH_W(0) \
    TINYCC_SH_HALF(0, 0, 1, 2, "a1", "a2", "a0", "a0") TINYCC_SH_HALF(0, 0, 0, 3, "a0", "a3", "a0", "a0")
#if TINYCC_SHALLOW_NEG
#define TINYCC_SH_NEG(A) "add %[" A "], %[" A "], %[" A "], asr #31\n\t"
#else
#define TINYCC_SH_NEG(A) ""
#endif
/* a channel's h (at byte offset OFF of the pair) into t1 and its s into u0 from its word W in t0; the key's
 * XOR only where a shallow node has a key (TINYCC_SH_KEY: the emitter's #define, ops/_conv_shallow.py) */
#ifndef TINYCC_SH_KEY
#define TINYCC_SH_KEY 1
#endif
#if TINYCC_SH_KEY
#define TINYCC_SH_SHIFT(OFF) \
    "ldr %[u0], [sp, #24]\n\t" "ldr %[t1], [%[w], #" OFF "]\n\t" "eor %[u0], %[u0], %[t0]\n\t" \
    "and %[u0], %[u0], #31\n\t"
#else
#define TINYCC_SH_SHIFT(OFF) "ldr %[t1], [%[w], #" OFF "]\n\t" "and %[u0], %[t0], #31\n\t"
#endif
#define TINYCC_SH_RQ(A) \
    "smmlar %[" A "], %[" A "], %[t0], %[" A "]\n\t" TINYCC_SH_NEG(A) "add %[" A "], %[" A "], %[t1]\n\t" \
    "asr %[" A "], %[" A "], %[u0]\n\t" "ssat %[" A "], #8, %[" A "], asr #1\n\t"
/* mode z0: SMMLA(acc 2^e, M, Ra), SSAT with ASR t - 1 */
#define TINYCC_SH_RQZ(A) \
    "smmla %[" A "], %[" A "], %[t0], %[t1]\n\t" \
    "ssat %[" A "], #8, %[" A "], asr #" TINYCC_SH_STR(TINYCC_SH_ZS) "\n\t"
__attribute__((noinline, unused)) static void tinycc_sh_blocks_asm(const int16_t *x, const int32_t *wq, int8_t *op,
                                                                   int co, int step, int nb) {
    const int16_t *xv = x, *xendv = x + 24 * nb;
    const int32_t *wv = wq, *wendv = wq + 2 + TINYCC_SH_PAIR_WORDS * (co / 2);
    int8_t *opv = op;
    int stepv = step;
    int32_t a00, a01, a10, a11, a20, a21, a30, a31, t0, t1, u0, u1;
    const int32_t *w;
    const int16_t *xr;
    __asm__ volatile(
        "ldr %[x], %[xm]\n\t"
        "ldr %[w], %[wm]\n\t"
        "ldr %[t0], %[opm]\n\t"
        "ldr %[t1], %[stepm]\n\t"
        "ldr %[u0], %[wendm]\n\t"
        "ldr %[u1], %[xendm]\n\t"
        "sub sp, sp, #32\n\t"
        "str %[t0], [sp]\n\t"
        "str %[t1], [sp, #4]\n\t"
        "str %[u0], [sp, #8]\n\t"
        "str %[u1], [sp, #12]\n\t"
        "str %[t0], [sp, #20]\n\t"
        "ldr %[t1], [%[w], #4]\n\t"        /* the key; the first pair */
        "add %[w], %[w], #8\n\t"
        "str %[w], [sp, #16]\n\t"
        "str %[t1], [sp, #24]\n\t"
        "1:\n\t"
        TINYCC_SH_TAP0
        TINYCC_SH_TAP(1, 0, 1) TINYCC_SH_TAP(2, 0, 2) TINYCC_SH_TAP(3, 0, 3)
        TINYCC_SH_TAP(4, 1, 0) TINYCC_SH_TAP(5, 1, 1) TINYCC_SH_TAP(6, 1, 2) TINYCC_SH_TAP(7, 1, 3)
        TINYCC_SH_TAP(8, 3, 0) TINYCC_SH_TAP(9, 2, 0) TINYCC_SH_TAP(10, 2, 1) TINYCC_SH_TAP(11, 2, 2)
        TINYCC_SH_TAP(12, 2, 3) TINYCC_SH_TAP(13, 2, 4)
#if !TINYCC_SH_Z0
        "ldr %[t0], [%[w], #120]\n\t"       /* W0, h0, s0 */
        TINYCC_SH_SHIFT("124")
        TINYCC_SH_RQ("a00") TINYCC_SH_RQ("a10") TINYCC_SH_RQ("a20") TINYCC_SH_RQ("a30")
        "ldr %[t0], [%[w], #128]\n\t"       /* W1, h1, s1 */
        TINYCC_SH_SHIFT("132")
        TINYCC_SH_RQ("a01") TINYCC_SH_RQ("a11") TINYCC_SH_RQ("a21") TINYCC_SH_RQ("a31")
        "ldr %[u1], [sp]\n\t"               /* op; past the last pair? (NE: not yet) */
        "ldr %[u0], [sp, #8]\n\t"
#else
        "ldr %[t0], [%[w], #120]\n\t"       /* M0, Ra0 */
        "ldr %[t1], [%[w], #124]\n\t"
        TINYCC_SH_RQZ("a00") TINYCC_SH_RQZ("a10") TINYCC_SH_RQZ("a20") TINYCC_SH_RQZ("a30")
        "ldr %[t0], [%[w], #128]\n\t"       /* M1, Ra1; op; past the last pair? (NE: not yet) */
        "ldr %[t1], [%[w], #132]\n\t"
        "ldr %[u1], [sp]\n\t"
        "ldr %[u0], [sp, #8]\n\t"
        TINYCC_SH_RQZ("a01") TINYCC_SH_RQZ("a11") TINYCC_SH_RQZ("a21") TINYCC_SH_RQZ("a31")
#endif
        "add %[w], %[w], #(4*" TINYCC_SH_STR(TINYCC_SH_PAIR_WORDS) ")\n\t"
        "cmp %[w], %[u0]\n\t"
        /* the 8 outputs from op on (stores and ADD leave the flags), the next pair's outputs 2 bytes on */
#if TINYCC_SH_STEP
        "strb %[a00], [%[u1]]\n\t"
        "strb %[a01], [%[u1], #1]\n\t"
        "strb %[a10], [%[u1], #" TINYCC_SH_STR(TINYCC_SH_STEP) "]\n\t"
        "strb %[a11], [%[u1], #(" TINYCC_SH_STR(TINYCC_SH_STEP) "+1)]\n\t"
        "strb %[a20], [%[u1], #(2*" TINYCC_SH_STR(TINYCC_SH_STEP) ")]\n\t"
        "strb %[a21], [%[u1], #(2*" TINYCC_SH_STR(TINYCC_SH_STEP) "+1)]\n\t"
        "strb %[a30], [%[u1], #(3*" TINYCC_SH_STR(TINYCC_SH_STEP) ")]\n\t"
        "strb %[a31], [%[u1], #(3*" TINYCC_SH_STR(TINYCC_SH_STEP) "+1)]\n\t"
#else
        "ldr %[t0], [sp, #4]\n\t"           /* step */
        "strb %[a00], [%[u1]]\n\t"
        "strb %[a01], [%[u1], #1]\n\t"
        "add %[t1], %[u1], %[t0]\n\t"
        "strb %[a10], [%[t1]]\n\t"
        "strb %[a11], [%[t1], #1]\n\t"
        "add %[t1], %[t1], %[t0]\n\t"
        "strb %[a20], [%[t1]]\n\t"
        "strb %[a21], [%[t1], #1]\n\t"
        "add %[t1], %[t1], %[t0]\n\t"
        "strb %[a30], [%[t1]]\n\t"
        "strb %[a31], [%[t1], #1]\n\t"
#endif
        "add %[u1], %[u1], #2\n\t"
        "str %[u1], [sp]\n\t"
        "bne 1b\n\t"
        "ldr %[t0], [sp, #4]\n\t"           /* step */
        "ldr %[w], [sp, #16]\n\t"           /* the next block: its outputs 4 steps on, the first pair */
        "ldr %[u0], [sp, #20]\n\t"
        "add %[x], %[x], #48\n\t"
        "ldr %[u1], [sp, #12]\n\t"
        "add %[u0], %[u0], %[t0], lsl #2\n\t"
        "str %[u0], [sp]\n\t"
        "str %[u0], [sp, #20]\n\t"
        "cmp %[x], %[u1]\n\t"
        "bne 1b\n\t"
        "add sp, sp, #32\n\t"
        : [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11), [a20] "=&r"(a20),
          [a21] "=&r"(a21), [a30] "=&r"(a30), [a31] "=&r"(a31), [t0] "=&r"(t0), [t1] "=&r"(t1), [u0] "=&r"(u0),
          [u1] "=&r"(u1), [x] "=&r"(xr), [w] "=&r"(w)
        : [xm] "m"(xv), [wm] "m"(wv), [opm] "m"(opv), [stepm] "m"(stepv), [wendm] "m"(wendv), [xendm] "m"(xendv)
        : "cc", "memory");
}
#undef TINYCC_SH_RQ
#undef TINYCC_SH_RQZ
#undef TINYCC_SH_SHIFT
#undef TINYCC_SH_NEG
#undef TINYCC_SH_TAP
#undef TINYCC_SH_TAP0
#undef TINYCC_SH_HALF
#undef TINYCC_SH_W
#undef TINYCC_SH_X
#endif

static inline void tinycc_sh_blocks(const int16_t *x, const int32_t *wq, int8_t *op, int co, int step, int nb) {
#ifdef TINYCC_SH_ASM
    tinycc_sh_blocks_asm(x, wq, op, co, step, nb);
#else
    tinycc_sh_blocks_c(x, wq, op, co, step, nb);
#endif
}

/* the call's `wpk` argument (ops/conv_2d.py's shallow row): the array itself where ARMv6-M's path reads it,
 * else NULL, so that no other build references (and links) this second copy of the filter */
#if !defined(TINYCC_SH_ASM) && defined(TINYCC_COLS_PW_V6M)
#define TINYCC_SH_WPK(wpk) (wpk)
#else
#define TINYCC_SH_WPK(wpk) NULL
#endif

/* Stride 2: one phase, output pixels ox0 + q at input column 2 (ox0 + q) - pad_l, slot halfword 6 q. Stride 1:
 * two phases, the even output pixels ox0 + 2 q (from input column ox0 - pad_l) and the odd ones ox0 + 1 + 2 q
 * (from a column on), each again 6 halfwords a pixel; their outputs 2 co apart. */
static inline void tinycc_conv_2d_s8_shallow(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wq,
                                             const int32_t *wpk, int8_t *out, int32_t in_zp) {
    tinycc_sh_rows r;
    int8_t tail[4 * 2 * TINYCC_SH_MAXCO];
    const int co = s->co, nph = s->sw == 1 ? 2 : 1, step = nph * co;
    int b, oy, ox0, ph, k, i, bi;
#if !defined(TINYCC_SH_ASM) && defined(TINYCC_COLS_PW_V6M)
    /* ARMv6-M keeps the im2col kernel's Thumb loops (conv_2d_cols_v6m.h) and its words `wpk` */
    if (4 * TINYCC_COLS_V6M_S * 28 <= TINYCC_CONV_COLS_BYTES) {
        tinycc_conv_2d_s8_cols_v6m(s, in, wpk, out, in_zp, -128, 127);
        return;
    }
#endif
    (void)wpk;
    for (b = 0; b < s->n; ++b)
        for (ox0 = 0; ox0 < s->ow; ox0 += nph * TINYCC_SH_PX)
            for (ph = 0; ph < nph && ox0 + ph < s->ow; ++ph)
                for (oy = 0, bi = 0; oy < s->oh; ++oy) {
                    const int first = ox0 + ph, left = (s->ow - first + nph - 1) / nph;
                    const int nq = left < TINYCC_SH_PX ? left : TINYCC_SH_PX, nb = nq / 4;
                    const int n = 6 * ((nq + 3) & ~3) + 4, ix0 = first * s->sw - s->pad_l;
                    int8_t *o = out + ((long)(b * s->oh + oy) * s->ow + first) * co;
                    int16_t *rb;            /* this row's slot 0 */
                    k = 0;
                    if (oy > 0 && s->sh == 1) {        /* one slot on (or back to 0), its bottom row widened */
                        if (bi == 2)
                            tinycc_sh_copy(r.w, r.w + 3 * (TINYCC_SH_ROWB / 4), 2 * (TINYCC_SH_ROWB / 4));
                        bi = bi == 2 ? 0 : bi + 1;
                        k = 2;
                    } else if (TINYCC_SH_S2 && oy > 0) {      /* stride 2: slots 2-5 for an odd row */
                        bi = 2 * (oy & 1);
                        if (!bi)
                            tinycc_sh_copy(r.w, r.w + TINYCC_SH_ROWB, n / 2);     /* n is even */
                        k = 1;
                    }
                    rb = r.h + bi * (TINYCC_SH_ROWB / 2);
                    for (; k < 3; ++k)
                        tinycc_sh_widen(s, in, b, oy * s->sh - s->pad_t + k, ix0, rb + k * (TINYCC_SH_ROWB / 2), n,
                                        in_zp);
                    {   /* slot 3: each pixel's last tap of rows 0 and 1 (its third column's channel 2) as one pair */
                        const int np = (nq + 3) & ~3;   /* pixels, whole blocks */
                        int p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                        /* pixel p's last taps: the low halves of the words at halfword 6 p + 8 of slots 0 and 1
                         * (a PKHBT), 4 a pass */
                        const int16_t *r0 = rb + 8, *r1 = rb + TINYCC_SH_ROWB / 2 + 8;
                        int16_t *d = rb + 3 * (TINYCC_SH_ROWB / 2);
#define TINYCC_SH_PK(J) do { \
        uint32_t a_, b_; \
        memcpy(&a_, r0 + p + 2 * (J), 4); \
        memcpy(&b_, r1 + p + 2 * (J), 4); \
        a_ = (a_ & 0xffffu) | b_ << 16; \
        memcpy(d + p + 2 * (J), &a_, 4); \
    } while (0);
                        for (p = 0; p < 6 * np; p += 24) {
                            TINYCC_SH_PK(0) TINYCC_SH_PK(3) TINYCC_SH_PK(6) TINYCC_SH_PK(9)
                        }
#undef TINYCC_SH_PK
#else
                        const int16_t *r0 = rb + 8, *r1 = rb + TINYCC_SH_ROWB / 2 + 8;
                        int16_t *d = rb + 3 * (TINYCC_SH_ROWB / 2);
                        for (p = 0; p < 6 * np; p += 6) {
                            d[p] = r0[p];
                            d[p + 1] = r1[p];
                        }
#endif
                    }
                    if (nb > 0) tinycc_sh_blocks(rb, wq, o, co, step, nb);
                    if (nq % 4) {   /* the last pixels: a whole block into `tail`, their outputs copied */
                        tinycc_sh_blocks(rb + 24 * nb, wq, tail, co, step, 1);
                        for (i = 0; i < nq % 4; ++i) memcpy(o + (long)(4 * nb + i) * step, tail + i * step, (size_t)co);
                    }
                }
}

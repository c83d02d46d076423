#ifdef TINYCC_COLS_ASM
/* tinycc_cols_block's two-pixel loop without activation clipping in one assembly loop: every channel
 * pair from op (co2 > 0 of them) with its words at w (tinycc_cols_block), its group loop as
 * tinycc_cols_2x2's (one variant for an odd g, one for an even g; the first group adds pixel 1's
 * products to the folded biases into its own accumulators before pixel 0's: no copies), then its 4
 * outputs: SMMLAR, ADD, ADD ASR #31, ASR, SSAT, STRB each; it stops after the pair whose e0 word has
 * bit 8 set (the last pair's: conv_2d.py's cols_words; ASR by a register takes its low byte). The 13
 * registers hold the MAC loop's live values; the column base, g, the output pointer and co wait in 16
 * bytes the assembly takes below the stack pointer (and gives back), two a LDRD. Returns w after the
 * last pair. */
#define TINYCC_COLS_GROUP /* one group: 16 MACs */ \
    "ldrd %[t0], %[t1], [%[w]], #8\n\t" \
    "ldrd %[t4], %[t5], [%[x]], #8\n\t" \
    "sxtb16 %[t2], %[t0], ror #8\n\t" \
    "sxtb16 %[t0], %[t0]\n\t" \
    "sxtb16 %[t3], %[t1], ror #8\n\t" \
    "sxtb16 %[t1], %[t1]\n\t" \
    "smlad %[a0], %[t4], %[t0], %[a0]\n\t" \
    "smlad %[a0], %[t5], %[t2], %[a0]\n\t" \
    "smlad %[a1], %[t4], %[t1], %[a1]\n\t" \
    "smlad %[a1], %[t5], %[t3], %[a1]\n\t" \
    "ldrd %[t4], %[t5], [%[x]], #8\n\t" \
    "smlad %[a2], %[t4], %[t0], %[a2]\n\t" \
    "smlad %[a2], %[t5], %[t2], %[a2]\n\t" \
    "smlad %[a3], %[t4], %[t1], %[a3]\n\t" \
    "smlad %[a3], %[t5], %[t3], %[a3]\n\t"
#define TINYCC_COLS_FIRST /* the first group: pixel 1 (x + 8) from the folded biases, then pixel 0 */ \
    "ldrd %[t0], %[t1], [%[w]], #8\n\t" \
    "ldrd %[t4], %[t5], [%[x], #8]\n\t" \
    "sxtb16 %[t2], %[t0], ror #8\n\t" \
    "sxtb16 %[t0], %[t0]\n\t" \
    "sxtb16 %[t3], %[t1], ror #8\n\t" \
    "sxtb16 %[t1], %[t1]\n\t" \
    "smlad %[a2], %[t4], %[t0], %[a0]\n\t" \
    "smlad %[a2], %[t5], %[t2], %[a2]\n\t" \
    "smlad %[a3], %[t4], %[t1], %[a1]\n\t" \
    "smlad %[a3], %[t5], %[t3], %[a3]\n\t" \
    "ldrd %[t4], %[t5], [%[x]], #16\n\t" \
    "smlad %[a0], %[t4], %[t0], %[a0]\n\t" \
    "smlad %[a0], %[t5], %[t2], %[a0]\n\t" \
    "smlad %[a1], %[t4], %[t1], %[a1]\n\t" \
    "smlad %[a1], %[t5], %[t3], %[a1]\n\t"
#define TINYCC_COLS_PAIRS_HEAD \
    "ldr %[x], %[xbm]\n\t" \
    "ldr %[n], %[gm]\n\t" \
    "ldr %[t0], %[opm]\n\t" \
    "ldr %[t1], %[com]\n\t" \
    "sub sp, sp, #16\n\t" \
    "strd %[x], %[n], [sp]\n\t" \
    "strd %[t0], %[t1], [sp, #8]\n\t" \
    "1:\n\t" \
    "ldrd %[a0], %[a1], [%[w]], #8\n\t"    /* kb */ \
    "ldrd %[x], %[n], [sp]\n\t" \
    TINYCC_COLS_FIRST
#define TINYCC_COLS_PAIRS_TAIL \
    "ldrd %[t0], %[t1], [%[w]], #8\n\t"     /* M2 */ \
    "ldrd %[t2], %[t3], [%[w]], #8\n\t"     /* h */ \
    "ldrd %[t4], %[t5], [%[w]], #8\n\t"     /* e */ \
    "smmlar %[a0], %[a0], %[t0], %[a0]\n\t" \
    "smmlar %[a2], %[a2], %[t0], %[a2]\n\t" \
    "smmlar %[a1], %[a1], %[t1], %[a1]\n\t" \
    "smmlar %[a3], %[a3], %[t1], %[a3]\n\t" \
    "add %[t0], %[a0], %[t2]\n\t" \
    "add %[t0], %[t0], %[a0], asr #31\n\t" \
    "asr %[t0], %[t0], %[t4]\n\t" \
    "add %[a0], %[a2], %[t2]\n\t" \
    "add %[a0], %[a0], %[a2], asr #31\n\t" \
    "asr %[a0], %[a0], %[t4]\n\t" \
    "add %[t1], %[a1], %[t3]\n\t" \
    "add %[t1], %[t1], %[a1], asr #31\n\t" \
    "asr %[t1], %[t1], %[t5]\n\t" \
    "add %[a1], %[a3], %[t3]\n\t" \
    "add %[a1], %[a1], %[a3], asr #31\n\t" \
    "asr %[a1], %[a1], %[t5]\n\t" \
    "ssat %[t0], #8, %[t0]\n\t" \
    "ssat %[a0], #8, %[a0]\n\t" \
    "ssat %[t1], #8, %[t1]\n\t" \
    "ssat %[a1], #8, %[a1]\n\t" \
    "ldrd %[x], %[t2], [sp, #8]\n\t"        /* op, co */ \
    "strb %[a0], [%[x], %[t2]]\n\t" \
    "strb %[t0], [%[x]], #1\n\t" \
    "strb %[a1], [%[x], %[t2]]\n\t" \
    "strb %[t1], [%[x]], #1\n\t" \
    "str %[x], [sp, #8]\n\t" \
    "tst %[t4], #256\n\t"                 /* the last pair's e0 */ \
    "beq 1b\n\t" \
    "add sp, sp, #16\n\t"
#define TINYCC_COLS_PAIRS_OPERANDS \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x), [w] "+r"(w), [n] "=&r"(n), \
      [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5) \
    : [xbm] "m"(xbv), [gm] "m"(gv), [opm] "m"(opv), [com] "m"(cov) \
    : "cc", "memory"
static inline const int32_t *tinycc_cols_block2_asm(const tinycc_cols *c, const int32_t *w, int g, int8_t *op,
                                                    int co) {
    const int32_t *xbv = c->w;
    int8_t *opv = op;
    int cov = co, gv = g;
    const int32_t *x;
    int32_t n, a0, a1, a2, a3, t0, t1, t2, t3, t4, t5;
    if (g & 1)
        __asm__ volatile(
            TINYCC_COLS_PAIRS_HEAD
            "subs %[n], %[n], #1\n\t"
            "beq 3f\n\t"
            "2:\n\t"
            TINYCC_COLS_GROUP
            TINYCC_COLS_GROUP
            "subs %[n], %[n], #2\n\t"
            "bne 2b\n\t"
            "3:\n\t"
            TINYCC_COLS_PAIRS_TAIL
            TINYCC_COLS_PAIRS_OPERANDS);
    else
        __asm__ volatile(
            TINYCC_COLS_PAIRS_HEAD
            TINYCC_COLS_GROUP
            "subs %[n], %[n], #2\n\t"
            "beq 3f\n\t"
            "2:\n\t"
            TINYCC_COLS_GROUP
            TINYCC_COLS_GROUP
            "subs %[n], %[n], #2\n\t"
            "bne 2b\n\t"
            "3:\n\t"
            TINYCC_COLS_PAIRS_TAIL
            TINYCC_COLS_PAIRS_OPERANDS);
    return w;
}
#undef TINYCC_COLS_GROUP
#undef TINYCC_COLS_FIRST
#undef TINYCC_COLS_PAIRS_HEAD
#undef TINYCC_COLS_PAIRS_TAIL
#undef TINYCC_COLS_PAIRS_OPERANDS
#endif


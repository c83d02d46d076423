#ifdef TINYCC_COLS_ASM
/* tinycc_cols_block's two-pixel loop without activation clipping in one assembly loop: every channel
 * pair from op (co2 > 0 of them) with its words at w (tinycc_cols_block), then its 4 outputs: SMMLAR,
 * ADD, ADD ASR #31, ASR, SSAT, STRB each; it stops after the pair whose e0 word has bit 8 set (the last
 * pair's: conv_2d.py's cols_words; ASR by a register takes its low byte). A group (4 taps, 16 MACs) is
 * 6 loads back to back (each pipelines after the one before: 7 cycles where 3 LDRD take 9), 4 SXTB16
 * and 8 SMLAD. A pair's first group is peeled: its loads join the folded biases' and the stack's in one
 * run of 10, and its pixel-1 SMLADs start from the biases (no MOVs to copy them). The other g - 1 groups
 * run 16 a pass, entered (g - 1) mod 16 groups early by LDR PC from the stack (every group is 72 bytes of
 * 32-bit instructions; past the loop when g is 1), so a pair pays one taken branch per 16 groups. The 14
 * registers (lr among them) hold the loop's live values; the column base, the rounded group count, the
 * output pointer, co and the entry address wait in 24 bytes the assembly takes below the stack pointer
 * (and gives back). Returns w after the last pair. */
#define TINYCC_COLS_GROUP /* one group: 16 MACs, 72 bytes */ \
    "ldr.w %[t0], [%[w]], #4\n\t" \
    "ldr.w %[t1], [%[w]], #4\n\t" \
    "ldr.w %[t2], [%[x]], #4\n\t" \
    "ldr.w %[t3], [%[x]], #4\n\t" \
    "ldr.w %[t4], [%[x]], #4\n\t" \
    "ldr.w %[t5], [%[x]], #4\n\t" \
    "sxtb16 %[t6], %[t0], ror #8\n\t" \
    "sxtb16 %[t0], %[t0]\n\t" \
    "smlad %[a0], %[t2], %[t0], %[a0]\n\t" \
    "smlad %[a2], %[t4], %[t0], %[a2]\n\t" \
    "smlad %[a0], %[t3], %[t6], %[a0]\n\t" \
    "smlad %[a2], %[t5], %[t6], %[a2]\n\t" \
    "sxtb16 %[t6], %[t1], ror #8\n\t" \
    "sxtb16 %[t1], %[t1]\n\t" \
    "smlad %[a1], %[t2], %[t1], %[a1]\n\t" \
    "smlad %[a3], %[t4], %[t1], %[a3]\n\t" \
    "smlad %[a1], %[t3], %[t6], %[a1]\n\t" \
    "smlad %[a3], %[t5], %[t6], %[a3]\n\t"
#define TINYCC_COLS_GROUP4 TINYCC_COLS_GROUP TINYCC_COLS_GROUP TINYCC_COLS_GROUP TINYCC_COLS_GROUP
static inline const int32_t *tinycc_cols_block2_asm(const tinycc_cols *c, const int32_t *w, int g, int8_t *op,
                                                    int co) {
    const int32_t *xbv = c->w;
    int8_t *opv = op;
    const int skip = -(g - 1) & 15;     /* groups after the first that the first pass skips */
    /* the entry's offset from the loop's first group; g == 1: past the loop (16 groups, SUBS.W, BNE.W) */
    int cov = co, gv = g - 1 + skip, offv = g > 1 ? 72 * skip : 72 * 16 + 8;
    const int32_t *x;
    int32_t n, a0, a1, a2, a3, t0, t1, t2, t3, t4, t5, t6;
    __asm__ volatile(
        "ldr %[x], %[xbm]\n\t"
        "ldr %[n], %[gm]\n\t"
        "ldr %[t0], %[opm]\n\t"
        "ldr %[t1], %[com]\n\t"
        "ldr %[t2], %[offm]\n\t"
        "adr.w %[t3], 2f\n\t"
        "add %[t2], %[t2], %[t3]\n\t"
        "orr %[t2], %[t2], #1\n\t"          /* a Thumb address for LDR PC */
        "sub sp, sp, #24\n\t"
        "str %[x], [sp]\n\t"
        "str %[n], [sp, #4]\n\t"
        "str %[t0], [sp, #8]\n\t"
        "str %[t1], [sp, #12]\n\t"
        "str %[t2], [sp, #16]\n\t"
        "1:\n\t"
        "ldr.w %[a0], [%[w]], #4\n\t"       /* kb0, kb1 */
        "ldr.w %[a1], [%[w]], #4\n\t"
        "ldr %[x], [sp]\n\t"
        "ldr %[n], [sp, #4]\n\t"
        "ldr.w %[t0], [%[w]], #4\n\t"       /* the first group */
        "ldr.w %[t1], [%[w]], #4\n\t"
        "ldr.w %[t2], [%[x]], #4\n\t"
        "ldr.w %[t3], [%[x]], #4\n\t"
        "ldr.w %[t4], [%[x]], #4\n\t"
        "ldr.w %[t5], [%[x]], #4\n\t"
        "sxtb16 %[t6], %[t0], ror #8\n\t"
        "sxtb16 %[t0], %[t0]\n\t"
        "smlad %[a2], %[t4], %[t0], %[a0]\n\t"   /* pixel 1 from the bias, before a0 moves on */
        "smlad %[a0], %[t2], %[t0], %[a0]\n\t"
        "smlad %[a0], %[t3], %[t6], %[a0]\n\t"
        "smlad %[a2], %[t5], %[t6], %[a2]\n\t"
        "sxtb16 %[t6], %[t1], ror #8\n\t"
        "sxtb16 %[t1], %[t1]\n\t"
        "smlad %[a3], %[t4], %[t1], %[a1]\n\t"
        "smlad %[a1], %[t2], %[t1], %[a1]\n\t"
        "smlad %[a1], %[t3], %[t6], %[a1]\n\t"
        "smlad %[a3], %[t5], %[t6], %[a3]\n\t"
        "ldr pc, [sp, #16]\n\t"
        ".p2align 2\n\t"
        "2:\n\t"
        TINYCC_COLS_GROUP4
        TINYCC_COLS_GROUP4
        TINYCC_COLS_GROUP4
        TINYCC_COLS_GROUP4
        "subs.w %[n], %[n], #16\n\t"
        "bne.w 2b\n\t"
        "ldr.w %[t0], [%[w]], #4\n\t"       /* M2 (the entry past the loop when g is 1) */
        "ldr.w %[t1], [%[w]], #4\n\t"
        "ldr.w %[t2], [%[w]], #4\n\t"       /* h */
        "ldr.w %[t3], [%[w]], #4\n\t"
        "ldr.w %[t4], [%[w]], #4\n\t"       /* e */
        "ldr.w %[t5], [%[w]], #4\n\t"
        "ldr %[x], [sp, #8]\n\t"            /* op, co */
        "ldr %[t6], [sp, #12]\n\t"
        "smmlar %[a0], %[a0], %[t0], %[a0]\n\t"
        "smmlar %[a2], %[a2], %[t0], %[a2]\n\t"
        "smmlar %[a1], %[a1], %[t1], %[a1]\n\t"
        "smmlar %[a3], %[a3], %[t1], %[a3]\n\t"
        "add %[t0], %[a0], %[t2]\n\t"
        "add %[t0], %[t0], %[a0], asr #31\n\t"
        "asr %[t0], %[t0], %[t4]\n\t"
        "add %[a0], %[a2], %[t2]\n\t"
        "add %[a0], %[a0], %[a2], asr #31\n\t"
        "asr %[a0], %[a0], %[t4]\n\t"
        "add %[t1], %[a1], %[t3]\n\t"
        "add %[t1], %[t1], %[a1], asr #31\n\t"
        "asr %[t1], %[t1], %[t5]\n\t"
        "add %[a1], %[a3], %[t3]\n\t"
        "add %[a1], %[a1], %[a3], asr #31\n\t"
        "asr %[a1], %[a1], %[t5]\n\t"
        "ssat %[t0], #8, %[t0]\n\t"
        "ssat %[a0], #8, %[a0]\n\t"
        "ssat %[t1], #8, %[t1]\n\t"
        "ssat %[a1], #8, %[a1]\n\t"
        "strb %[a0], [%[x], %[t6]]\n\t"
        "strb %[t0], [%[x]], #1\n\t"
        "strb %[a1], [%[x], %[t6]]\n\t"
        "strb %[t1], [%[x]], #1\n\t"
        "str %[x], [sp, #8]\n\t"
        "tst %[t4], #256\n\t"                 /* the last pair's e0 */
        "beq 1b\n\t"
        "add sp, sp, #24\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x), [w] "+r"(w), [n] "=&r"(n),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
          [t6] "=&r"(t6)
        : [xbm] "m"(xbv), [gm] "m"(gv), [opm] "m"(opv), [com] "m"(cov), [offm] "m"(offv)
        : "cc", "memory");
    return w;
}
#undef TINYCC_COLS_GROUP4
#undef TINYCC_COLS_GROUP
#endif


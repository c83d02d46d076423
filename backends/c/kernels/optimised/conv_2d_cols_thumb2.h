#ifdef TINYCC_COLS_ASM
/* whether a layer's output zero point can be other than -128 (the emitter's #define: 0 when every node's is
 * -128). With z = -128 and no clipping activation (the assembly loops' case) the rounding's ADD of x >> 31
 * moves nothing: for x < 0 both ((x + h) >> s) >> 1 and ((x + h - 1) >> s) >> 1 are at most -128 (h =
 * -255 << s), which SSAT keeps; for x >= 0 the term is 0. TINYCC_COLS_SIGN_ADD(R, A): R += A >> 31. */
#ifndef TINYCC_COLS_SIGN
#define TINYCC_COLS_SIGN 1
#endif
#if TINYCC_COLS_SIGN
#define TINYCC_COLS_SIGN_ADD(R, A) "add %[" R "], %[" R "], %[" A "], asr #31\n\t"
#else
#define TINYCC_COLS_SIGN_ADD(R, A) ""
#endif
/* tinycc_cols_block's two-pixel loop without activation clipping in one assembly loop: every channel
 * pair from op (co2 > 0 of them) with its words at w (tinycc_cols_block), then its 4 outputs: SMMLAR,
 * ADD, ADD ASR #31, ASR by s, SSAT ASR #1, STRB each (tinycc_cols_rq: s the low 5 bits of the pair's
 * words W, h = zp2 << s); it stops when the output pointer reaches op + co2. A group (4 taps, 16 MACs) is
 * 6 loads back to back (each pipelines after the one before: 7 cycles where 3 LDRD take 9), 4 SXTB16
 * and 8 SMLAD. A pair's first group is peeled: its loads join the folded biases' and the stack's in one
 * run of 10, and its pixel-1 SMLADs start from the biases (no MOVs to copy them). The other g - 1 groups
 * run 8 a pass, entered (g - 1) mod 8 groups early by LDR PC from the stack (every group is 72 bytes of
 * 32-bit instructions; past the loop when g is 1), so a pair pays one taken branch per 8 groups. The 14
 * registers (lr among them) hold the loop's live values; the column base, the rounded group count, the
 * output pointer, co, the entry address, zp2, the end pointer and the key wait in 32 bytes the assembly takes
 * below the stack pointer (and gives back). Returns w after the last pair. */
/* the shifts s0, s1 into D0, D1 from the words W0, W1: their low 5 bits, XOR the key K (TINYCC_COLS_KEY) */
#if TINYCC_COLS_KEY
#define TINYCC_COLS_SHIFTS(D0, D1, W0, W1, K) \
    "eor %[" D0 "], %[" W0 "], %[" K "]\n\t" "eor %[" D1 "], %[" W1 "], %[" K "]\n\t" \
    "and %[" D0 "], %[" D0 "], #31\n\t" "and %[" D1 "], %[" D1 "], #31\n\t"
#define TINYCC_COLS_LDKEY(K, OFF) "ldr %[" K "], [sp, #" OFF "]\n\t"
#else
#define TINYCC_COLS_SHIFTS(D0, D1, W0, W1, K) \
    "and %[" D0 "], %[" W0 "], #31\n\t" "and %[" D1 "], %[" W1 "], #31\n\t"
#define TINYCC_COLS_LDKEY(K, OFF) ""
#endif
/* E (the entry's offset from label 2) made the Thumb address of label 2 + E for LDR PC (T: a scratch register) */
#define TINYCC_COLS_ENTRY(E, T) \
    "adr.w %[" T "], 2f\n\t" \
    "add %[" E "], %[" E "], %[" T "]\n\t" \
    "orr %[" E "], %[" E "], #1\n\t"
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
                                                    int co, int32_t zp2, int32_t key) {
    const int32_t *xbv = c->w;
    int8_t *opv = op, *endv = op + (co & ~1);
    int32_t zpv = zp2, keyv = key;
    const int skip = -(g - 1) & 7;      /* groups after the first that the first pass skips */
    /* the entry's offset from the loop's first group; g == 1: past the loop (8 groups, SUBS.W, BNE.W) */
    int cov = co, gv = g - 1 + skip, offv = g > 1 ? 72 * skip : 72 * 8 + 8;
    const int32_t *x;
    int32_t n, a0, a1, a2, a3, t0, t1, t2, t3, t4, t5, t6;
    __asm__ volatile(
        "ldr %[x], %[xbm]\n\t"
        "ldr %[n], %[gm]\n\t"
        "ldr %[t0], %[opm]\n\t"
        "ldr %[t1], %[com]\n\t"
        "ldr %[t2], %[offm]\n\t"
        "ldr %[t4], %[zpm]\n\t"
        "ldr %[t5], %[endm]\n\t"
        "ldr %[a0], %[keym]\n\t"
        TINYCC_COLS_ENTRY("t2", "t3")
        "sub sp, sp, #32\n\t"
        "str %[a0], [sp, #28]\n\t"
        "str %[x], [sp]\n\t"
        "str %[n], [sp, #4]\n\t"
        "str %[t0], [sp, #8]\n\t"
        "str %[t1], [sp, #12]\n\t"
        "str %[t2], [sp, #16]\n\t"
        "str %[t4], [sp, #20]\n\t"
        "str %[t5], [sp, #24]\n\t"
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
        "subs.w %[n], %[n], #8\n\t"
        "bne.w 2b\n\t"
        "ldr.w %[t0], [%[w]], #4\n\t"       /* W0, W1 (the entry past the loop when g is 1) */
        "ldr.w %[t1], [%[w]], #4\n\t"
        "ldr %[t2], [sp, #20]\n\t"          /* zp2, key */
        TINYCC_COLS_LDKEY("t3", "28")
        "ldr %[x], [sp, #8]\n\t"            /* op, co */
        "ldr %[t6], [sp, #12]\n\t"
        "smmlar %[a0], %[a0], %[t0], %[a0]\n\t"
        "smmlar %[a2], %[a2], %[t0], %[a2]\n\t"
        "smmlar %[a1], %[a1], %[t1], %[a1]\n\t"
        "smmlar %[a3], %[a3], %[t1], %[a3]\n\t"
        TINYCC_COLS_SHIFTS("t4", "t5", "t0", "t1", "t3")   /* s0, s1; h1 = zp2 << s1, h0 = zp2 << s0 */
        "lsl %[t3], %[t2], %[t5]\n\t"
        "lsl %[t2], %[t2], %[t4]\n\t"
        "add %[t0], %[a0], %[t2]\n\t"
        TINYCC_COLS_SIGN_ADD("t0", "a0")
        "asr %[t0], %[t0], %[t4]\n\t"
        "add %[a0], %[a2], %[t2]\n\t"
        TINYCC_COLS_SIGN_ADD("a0", "a2")
        "asr %[a0], %[a0], %[t4]\n\t"
        "add %[t1], %[a1], %[t3]\n\t"
        TINYCC_COLS_SIGN_ADD("t1", "a1")
        "asr %[t1], %[t1], %[t5]\n\t"
        "add %[a1], %[a3], %[t3]\n\t"
        TINYCC_COLS_SIGN_ADD("a1", "a3")
        "asr %[a1], %[a1], %[t5]\n\t"
        "ssat %[t0], #8, %[t0], asr #1\n\t"
        "ssat %[a0], #8, %[a0], asr #1\n\t"
        "ssat %[t1], #8, %[t1], asr #1\n\t"
        "ssat %[a1], #8, %[a1], asr #1\n\t"
        "strb %[a0], [%[x], %[t6]]\n\t"
        "strb %[t0], [%[x]], #1\n\t"
        "strb %[a1], [%[x], %[t6]]\n\t"
        "strb %[t1], [%[x]], #1\n\t"
        "str %[x], [sp, #8]\n\t"
        "ldr %[t4], [sp, #24]\n\t"          /* past the last pair */
        "cmp %[x], %[t4]\n\t"
        "bne 1b\n\t"
        "add sp, sp, #32\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x), [w] "+r"(w), [n] "=&r"(n),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
          [t6] "=&r"(t6)
        : [xbm] "m"(xbv), [gm] "m"(gv), [opm] "m"(opv), [com] "m"(cov), [offm] "m"(offv), [zpm] "m"(zpv),
          [endm] "m"(endv), [keym] "m"(keyv)
        : "cc", "memory");
    return w;
}
#undef TINYCC_COLS_GROUP4
#undef TINYCC_COLS_GROUP
#endif


#if defined(TINYCC_COLS_ASM) && TINYCC_COLS_B + 4 <= 4095    /* slot 2 in reach of LDR.W's 12-bit offset */
#define TINYCC_COLS3 1
/* Three pixels by two channels, as tinycc_cols_block2_asm: pixels 0 and 1 in the column's slots 0 and 1
 * (group by group, 16 bytes a group), pixel 2 in slot 2 (TINYCC_COLS_W: TINYCC_COLS_B bytes on, the same
 * stride, so one pointer reaches all three). A group (4 taps, 24 MACs) is 8 loads in three runs (4, 2,
 * 2: 8 cycles where 2x2's 6 loads take 7 for 16 MACs), 4 SXTB16 and 12 SMLAD: 27 cycles for 24 MACs (19
 * for 16). The 14 registers hold 6 accumulators, the two pointers, the weights' 4 halves and 2 column
 * words, none left for a count: the caller puts the word 0x80008000 after the first column's last group
 * (two int16 halves of -32768, which no widened int8 tap or zero point makes) and each pass of 8 groups
 * ends when the next group's first word is that mark. A pair's first group is peeled (its pixels 1 and 2
 * accumulate from the folded biases); the others run 8 a pass, entered (g - 1) mod 8 groups early by LDR
 * PC (every group is 96 bytes of 32-bit instructions; past the loop when g is 1). Then the pair's 6
 * outputs as tinycc_cols_block2_asm's. The column base, the output pointer, co, the entry address, zp2
 * the end pointer (op + co) and the key wait in 32 bytes below the stack pointer. Returns w after the last pair. */
#define TINYCC_COLS3_MARK 0x80008000u
#define TINYCC_COLS3_LOAD2 /* pixel 2's words, then the weights' halves and pixel 2's 4 SMLADs */ \
    "ldr.w %[xl], [%[x], %[kb]]\n\t" \
    "ldr.w %[xh], [%[x], %[kb4]]\n\t" \
    "sxtb16 %[wah], %[wa], ror #8\n\t" \
    "sxtb16 %[wa], %[wa]\n\t" \
    "sxtb16 %[wbh], %[wb], ror #8\n\t" \
    "sxtb16 %[wb], %[wb]\n\t"
/* a group's weights: int8 (two words, widened by SXTB16) or pre-widened int16 (TINYCC_COLS3_LDW16: four words,
 * taps 0, 2 then 1, 3 of each channel, tinycc_cols_pww_widen), with pixel 2's words: 8 bytes or 16 of w a group */
#define TINYCC_COLS3_LDW8 \
    "ldr.w %[wa], [%[w]], #4\n\t" \
    "ldr.w %[wb], [%[w]], #4\n\t" \
    TINYCC_COLS3_LOAD2
#define TINYCC_COLS3_LDW16 \
    "ldr.w %[wa], [%[w]], #4\n\t" \
    "ldr.w %[wah], [%[w]], #4\n\t" \
    "ldr.w %[wb], [%[w]], #4\n\t" \
    "ldr.w %[wbh], [%[w]], #4\n\t" \
    "ldr.w %[xl], [%[x], %[kb]]\n\t" \
    "ldr.w %[xh], [%[x], %[kb4]]\n\t"
#define TINYCC_COLS3_MAC(A, B, A0, B0) /* acc A, B from A0, B0 += the pixel in xl, xh */ \
    "smlad %[" A "], %[xl], %[wa], %[" A0 "]\n\t" \
    "smlad %[" A "], %[xh], %[wah], %[" A "]\n\t" \
    "smlad %[" B "], %[xl], %[wb], %[" B0 "]\n\t" \
    "smlad %[" B "], %[xh], %[wbh], %[" B "]\n\t"
#define TINYCC_COLS3_GROUP(LDW, A0, A1, A2, A3, A4, A5) /* one group: 24 MACs, 96 bytes (LDW16: 88) */ \
    LDW \
    TINYCC_COLS3_MAC("a4", "a5", A4, A5) \
    "ldr.w %[xl], [%[x], #8]\n\t" \
    "ldr.w %[xh], [%[x], #12]\n\t" \
    TINYCC_COLS3_MAC("a2", "a3", A2, A3) \
    "ldr.w %[xh], [%[x], #4]\n\t" \
    "ldr.w %[xl], [%[x]], #16\n\t" \
    TINYCC_COLS3_MAC("a0", "a1", A0, A1)
#define TINYCC_COLS3_BODY TINYCC_COLS3_GROUP(TINYCC_COLS3_LDW8, "a0", "a1", "a2", "a3", "a4", "a5")
#define TINYCC_COLS3_BODYW TINYCC_COLS3_GROUP(TINYCC_COLS3_LDW16, "a0", "a1", "a2", "a3", "a4", "a5")
/* output channel pair's results: SMMLAR, ADD, ADD ASR #31, ASR into R from accumulator A (H, E: h, e) */
#if TINYCC_COLS_SIGN
#define TINYCC_COLS3_RQ(R, A, H, E) \
    "add %[" R "], %[" A "], %[" H "]\n\t" \
    TINYCC_COLS_SIGN_ADD(R, A) \
    "asr %[" R "], %[" R "], %[" E "]\n\t"
#else           /* ((x >> s) - 255): h = -255 << s added exactly (H unused) */
#define TINYCC_COLS3_RQ(R, A, H, E) \
    "asr %[" R "], %[" A "], %[" E "]\n\t" \
    "sub %[" R "], %[" R "], #255\n\t"
#endif
/* the block's values into registers (from their "m" operands, before SP moves), then into the frame below the
 * new SP: column base, op, co, the entry address, zp2, end, key */
#define TINYCC_COLS3_ARGS \
    "ldr %[x], %[xbm]\n\t" \
    "ldr %[wa], %[opm]\n\t" \
    "ldr %[wb], %[com]\n\t" \
    "ldr %[wah], %[offm]\n\t" \
    "ldr %[xl], %[zpm]\n\t" \
    "ldr %[xh], %[endm]\n\t" \
    "ldr %[a0], %[keym]\n\t"
#define TINYCC_COLS3_FRAME \
    "str %[a0], [sp, #24]\n\t" \
    "str %[x], [sp]\n\t" \
    "str %[wa], [sp, #4]\n\t" \
    "str %[wb], [sp, #8]\n\t" \
    "str %[wah], [sp, #12]\n\t" \
    "str %[xl], [sp, #16]\n\t" \
    "str %[xh], [sp, #20]\n\t"
/* the pair's 6 results: SMMLAR of the accumulators with W0 (pixels 0..2, channel 0) and W1 (channel 1) */
#define TINYCC_COLS3_SMMLAR6 \
    "smmlar %[a0], %[a0], %[wa], %[a0]\n\t" \
    "smmlar %[a2], %[a2], %[wa], %[a2]\n\t" \
    "smmlar %[a4], %[a4], %[wa], %[a4]\n\t" \
    "smmlar %[a1], %[a1], %[wb], %[a1]\n\t" \
    "smmlar %[a3], %[a3], %[wb], %[a3]\n\t" \
    "smmlar %[a5], %[a5], %[wb], %[a5]\n\t"
/* one channel's three outputs into wa, a0, a2 from A, B, C (pixels 0..2): TINYCC_COLS3_RQ, SSAT ASR #1 */
#define TINYCC_COLS3_OUT3(A, B, C, H, E) \
    TINYCC_COLS3_RQ("wa", A, H, E) \
    TINYCC_COLS3_RQ("a0", B, H, E) \
    TINYCC_COLS3_RQ("a2", C, H, E) \
    "ssat %[wa], #8, %[wa], asr #1\n\t" \
    "ssat %[a0], #8, %[a0], asr #1\n\t" \
    "ssat %[a2], #8, %[a2], asr #1\n\t"
/* the pair's 6 outputs after its MACs, stored at op, op + co, op + 2 co (and 1 on). With every output zero point
 * -128 (TINYCC_COLS_SIGN 0) the rounding word h = -255 << s is a multiple of 2^s, so (x + h) >> s is
 * (x >> s) - 255: an ASR and a SUB of 255 an output, no zp2 or h (TINYCC_COLS3_RQ), which frees two registers
 * for the outputs' pointers (stores with immediate offsets) */
#if TINYCC_COLS_SIGN
#define TINYCC_COLS3_TAIL \
    "ldr.w %[wa], [%[w]], #4\n\t"       /* W0, W1 (the entry past the loop when g is 1) */ \
    "ldr.w %[wb], [%[w]], #4\n\t" \
    "ldr %[xh], [sp, #16]\n\t"          /* zp2, key */ \
    TINYCC_COLS_LDKEY("xl", "24") \
    "ldr %[x], [sp, #4]\n\t"            /* op */ \
    TINYCC_COLS3_SMMLAR6 \
    TINYCC_COLS_SHIFTS("wah", "wbh", "wa", "wb", "xl")   /* s0, s1; h0, h1 = zp2 << s */ \
    "lsl %[xl], %[xh], %[wah]\n\t" \
    "lsl %[xh], %[xh], %[wbh]\n\t" \
    "ldr %[wb], [sp, #8]\n\t"           /* co */ \
    TINYCC_COLS3_OUT3("a0", "a2", "a4", "xl", "wah") \
    "add %[a4], %[x], %[wb], lsl #1\n\t"  /* op + 2 co, op + co (h0 done with) */ \
    "add %[xl], %[x], %[wb]\n\t" \
    "strb %[wa], [%[x]], #1\n\t" \
    "strb %[a0], [%[xl]]\n\t" \
    "strb %[a2], [%[a4]]\n\t" \
    TINYCC_COLS3_OUT3("a1", "a3", "a5", "xh", "wbh") \
    "strb %[a2], [%[a4], #1]\n\t" \
    "strb %[a0], [%[xl], #1]\n\t" \
    "strb %[wa], [%[x]], #1\n\t"
#else
#define TINYCC_COLS3_TAIL \
    "ldr.w %[wa], [%[w]], #4\n\t"       /* W0, W1 (the entry past the loop when g is 1) */ \
    "ldr.w %[wb], [%[w]], #4\n\t" \
    TINYCC_COLS_LDKEY("xl", "24") \
    "ldr %[x], [sp, #4]\n\t"            /* op, co */ \
    "ldr %[xh], [sp, #8]\n\t" \
    TINYCC_COLS3_SMMLAR6 \
    TINYCC_COLS_SHIFTS("wah", "wbh", "wa", "wb", "xl")   /* s0, s1 */ \
    "add %[xl], %[x], %[xh]\n\t"        /* op + co, op + 2 co */ \
    "add %[xh], %[xl], %[xh]\n\t" \
    TINYCC_COLS3_OUT3("a0", "a2", "a4", "", "wah") \
    "strb %[wa], [%[x]], #1\n\t" \
    "strb %[a0], [%[xl]]\n\t" \
    "strb %[a2], [%[xh]]\n\t" \
    TINYCC_COLS3_OUT3("a1", "a3", "a5", "", "wbh") \
    "strb %[a2], [%[xh], #1]\n\t" \
    "strb %[a0], [%[xl], #1]\n\t" \
    "strb %[wa], [%[x]], #1\n\t"
#endif
/* the pair loop: every channel pair of the block in slots 0..2 (frame: tinycc_cols_block3_asm's first 28 bytes),
 * BODIES groups a pass (TINYCC_COLS3_BODY8 or TINYCC_COLS3_BODY16), HEAD2 "" or TINYCC_COLS3_BODY: a second group
 * peeled after the first (then a pair of a 2-group layer goes from its head to its outputs with no pass and no
 * test of the mark; every g must be at least 2). The entry's offset: tinycc_cols3_entry's */
#define TINYCC_COLS3_BODY8 \
    TINYCC_COLS3_BODY TINYCC_COLS3_BODY TINYCC_COLS3_BODY TINYCC_COLS3_BODY \
    TINYCC_COLS3_BODY TINYCC_COLS3_BODY TINYCC_COLS3_BODY TINYCC_COLS3_BODY
#define TINYCC_COLS3_BODY16 TINYCC_COLS3_BODY8 TINYCC_COLS3_BODY8
#define TINYCC_COLS3_PAIRS(BODIES, HEAD2, LDW) \
    "1:\n\t" \
    "ldr.w %[a0], [%[w]], #4\n\t"       /* kb0, kb1, the column, the first group's weights */ \
    "ldr.w %[a1], [%[w]], #4\n\t" \
    "ldr %[x], [sp]\n\t" \
    LDW \
    TINYCC_COLS3_MAC("a4", "a5", "a0", "a1") \
    "ldr.w %[xl], [%[x], #8]\n\t" \
    "ldr.w %[xh], [%[x], #12]\n\t" \
    TINYCC_COLS3_MAC("a2", "a3", "a0", "a1") \
    "ldr.w %[xh], [%[x], #4]\n\t" \
    "ldr.w %[xl], [%[x]], #16\n\t" \
    TINYCC_COLS3_MAC("a0", "a1", "a0", "a1") \
    HEAD2 \
    "ldr pc, [sp, #12]\n\t" \
    ".p2align 2\n\t" \
    "2:\n\t" \
    BODIES \
    "ldr.w %[xl], [%[x]]\n\t"           /* the next group's first word: the mark after the last */ \
    "cmp.w %[xl], #0x80008000\n\t" \
    "bne.w 2b\n\t" \
    TINYCC_COLS3_TAIL \
    "str %[x], [sp, #4]\n\t" \
    "ldr %[xl], [sp, #20]\n\t"          /* past the last pair */ \
    "cmp %[x], %[xl]\n\t" \
    "bne 1b\n\t"
/* the offset of a pair loop's entry (n groups a pass) from its first group: (g - 1) mod n groups early, each
 * `bytes` (96; 88 with pre-widened weights); g == 1: past the loop (n groups, LDR.W, CMP.W, BNE.W) */
static inline int tinycc_cols3_entry(int g, int n, int peeled, int bytes) {
    return g > peeled ? bytes * (-(g - peeled) & (n - 1)) : bytes * n + 12;
}
static inline const int32_t *tinycc_cols_block3_asm(const tinycc_cols *c, const int32_t *w, int g, int8_t *op,
                                                    int co, int32_t zp2, int32_t key) {
    const int32_t *xbv = c->w;
    int8_t *opv = op, *endv = op + co;
    int32_t zpv = zp2, keyv = key;
    int cov = co, offv = tinycc_cols3_entry(g, 8, 1, 96);
    const int32_t *x;
    int32_t a0, a1, a2, a3, a4, a5, wa, wb, wah, wbh, xl, xh;
    __asm__ volatile(
        TINYCC_COLS3_ARGS
        TINYCC_COLS_ENTRY("wah", "wbh")
        "sub sp, sp, #32\n\t"
        TINYCC_COLS3_FRAME
        TINYCC_COLS3_PAIRS(TINYCC_COLS3_BODY8, "", TINYCC_COLS3_LDW8)
        "add sp, sp, #32\n\t"
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [a4] "=&r"(a4), [a5] "=&r"(a5),
          [x] "=&r"(x), [w] "+r"(w), [wa] "=&r"(wa), [wb] "=&r"(wb), [wah] "=&r"(wah), [wbh] "=&r"(wbh),
          [xl] "=&r"(xl), [xh] "=&r"(xh)
        : [xbm] "m"(xbv), [opm] "m"(opv), [com] "m"(cov), [offm] "m"(offv), [zpm] "m"(zpv), [endm] "m"(endv),
          [keym] "m"(keyv),
          [kb] "i"(TINYCC_COLS_B),
          [kb4] "i"(TINYCC_COLS_B + 4)
        : "cc", "memory");
    return w;
}
/* tinycc_cols_block3_asm over nb blocks of a pointwise layer's pixels from `in` on, each block's three pixels
 * (in, in + 4g, in + 8g) first widened into the slots (SXTB16 and SXTB16 ROR 8 of each word; two groups a
 * pass, their six loads back to back, after one alone when g is odd: 18.5 est. cycles a group for 21), the next
 * block's pixels and outputs 3 pixels on (back, when `backward`): the layer in one call (no call, frame or C
 * loop a block). Its frame: tinycc_cols_block3_asm's, then the next block's input, the input and output
 * steps, the blocks left, the first pair's words and g (56 bytes). */
/* the emitter's: 1 when a pointwise node has more than 16 groups (conv_2d.py's PW16_GROUPS): its pair loop then
 * runs 16 groups a pass (a taken branch a pair less for each 16 groups, 768 bytes more code), else 8 */
#ifndef TINYCC_COLS3_PW16
#define TINYCC_COLS3_PW16 1
#endif
#if TINYCC_COLS3_PW16
#define TINYCC_COLS3_PW_BODIES TINYCC_COLS3_BODY16
#else
#define TINYCC_COLS3_PW_BODIES TINYCC_COLS3_BODY8
#endif
/* the emitter's (conv_2d.py's pointwise_groups): whether a pointwise node has 1 group (G1), 2 groups (G2). With
 * 2 and never 1, two groups are peeled a pair (HEAD2), so a 2-group layer's pairs skip the LDR PC into a pass
 * and its test of the mark (8 est. cycles a pair), for 96 bytes of code */
#ifndef TINYCC_COLS3_PW_G1
#define TINYCC_COLS3_PW_G1 1
#endif
#ifndef TINYCC_COLS3_PW_G2
#define TINYCC_COLS3_PW_G2 0
#endif
#define TINYCC_COLS3_PW_HEAD2 (TINYCC_COLS3_PW_G2 && !TINYCC_COLS3_PW_G1)
#if TINYCC_COLS3_PW_HEAD2
#define TINYCC_COLS3_PW_PEEL TINYCC_COLS3_BODY
#else
#define TINYCC_COLS3_PW_PEEL ""
#endif
/* one group of the three pixels (its words in P0, P1, P2) widened into slots 0, 1, 2 at x (a4, a5, w: temporaries) */
#define TINYCC_COLS3_WIDEN(P0, P1, P2) \
    "sxtb16 %[a4], %[" P0 "]\n\t" \
    "sxtb16 %[" P0 "], %[" P0 "], ror #8\n\t" \
    "sxtb16 %[a5], %[" P1 "]\n\t" \
    "sxtb16 %[" P1 "], %[" P1 "], ror #8\n\t" \
    "sxtb16 %[w], %[" P2 "]\n\t" \
    "sxtb16 %[" P2 "], %[" P2 "], ror #8\n\t" \
    "str %[a4], [%[x]]\n\t" \
    "str %[" P0 "], [%[x], #4]\n\t" \
    "str %[a5], [%[x], #8]\n\t" \
    "str %[" P1 "], [%[x], #12]\n\t" \
    "str.w %[w], [%[x], %[kb]]\n\t" \
    "str.w %[" P2 "], [%[x], %[kb4]]\n\t"
/* the layer loop (NAME) around a pair loop PAIRS of N groups a pass, each BYTES bytes, HEAD2 groups peeled a pair */
#define TINYCC_COLS3_PW3_FN(NAME, PAIRS, N, BYTES, PEELED) \
static inline void NAME(const tinycc_cols *c, const int32_t *w, int g, int8_t *op, int co, int32_t zp2, \
                                       int32_t key, const int8_t *in, int nb, int backward) { \
    const int32_t *xbv = c->w, *wv = w; \
    int8_t *opv = op, *endv = op + co; \
    const int8_t *inv = in; \
    int32_t zpv = zp2, keyv = key; \
    int cov = co, offv = tinycc_cols3_entry(g, N, PEELED, BYTES), gv = g, \
        nbv = nb; \
    int instepv = backward ? -12 * g : 12 * g, outstepv = backward ? -3 * co : 3 * co; \
    const int32_t *x; \
    int32_t a0, a1, a2, a3, a4, a5, wa, wb, wah, wbh, xl, xh; \
    __asm__ volatile( \
        TINYCC_COLS3_ARGS \
        "ldr %[a1], %[inm]\n\t" \
        "ldr %[a2], %[instepm]\n\t" \
        "ldr %[a3], %[outstepm]\n\t" \
        "ldr %[a4], %[nbm]\n\t" \
        "ldr %[a5], %[gm]\n\t" \
        "ldr %[w], %[wm]\n\t" \
        TINYCC_COLS_ENTRY("wah", "wbh") \
        "sub sp, sp, #56\n\t" \
        TINYCC_COLS3_FRAME \
        "str %[a1], [sp, #28]\n\t" \
        "str %[a2], [sp, #32]\n\t" \
        "str %[a3], [sp, #36]\n\t" \
        "str %[a4], [sp, #40]\n\t" \
        "str %[w], [sp, #44]\n\t" \
        "str %[a5], [sp, #48]\n\t" \
        "4:\n\t"                            /* the block's three pixels widened */ \
        "ldr %[a0], [sp, #28]\n\t" \
        "ldr %[a3], [sp, #48]\n\t" \
        "ldr %[x], [sp]\n\t" \
        "add %[a1], %[a0], %[a3], lsl #2\n\t" \
        "add %[a2], %[a1], %[a3], lsl #2\n\t" \
        "tst %[a3], #1\n\t"                /* an odd group count: one group alone first (at 8:) */ \
        "bne 8f\n\t" \
        "6:\n\t"                            /* two groups a pass: their six loads back to back */ \
        "ldr.w %[wa], [%[a0]], #4\n\t" \
        "ldr.w %[wb], [%[a1]], #4\n\t" \
        "ldr.w %[wah], [%[a2]], #4\n\t" \
        "ldr.w %[wbh], [%[a0]], #4\n\t" \
        "ldr.w %[xl], [%[a1]], #4\n\t" \
        "ldr.w %[xh], [%[a2]], #4\n\t" \
        TINYCC_COLS3_WIDEN("wa", "wb", "wah") \
        "add %[x], %[x], #16\n\t" \
        TINYCC_COLS3_WIDEN("wbh", "xl", "xh") \
        "add %[x], %[x], #16\n\t" \
        "subs %[a3], %[a3], #2\n\t" \
        "bne 6b\n\t" \
        "7:\n\t" \
        "ldr %[w], [sp, #44]\n\t" \
        PAIRS \
        "ldr %[a0], [sp, #40]\n\t"          /* the blocks left */ \
        "subs %[a0], %[a0], #1\n\t" \
        "beq 9f\n\t" \
        "str %[a0], [sp, #40]\n\t" \
        "ldr %[a1], [sp, #28]\n\t"          /* the next block: in += instep, end += outstep, op = end - co */ \
        "ldr %[a2], [sp, #32]\n\t" \
        "ldr %[a3], [sp, #36]\n\t" \
        "ldr %[a4], [sp, #8]\n\t"           /* co */ \
        "add %[a1], %[a1], %[a2]\n\t" \
        "add %[xl], %[xl], %[a3]\n\t" \
        "sub %[x], %[xl], %[a4]\n\t" \
        "str %[a1], [sp, #28]\n\t" \
        "str %[xl], [sp, #20]\n\t" \
        "str %[x], [sp, #4]\n\t" \
        "b 4b\n\t" \
        "8:\n\t"                            /* the odd group, then the others two a pass */ \
        "ldr.w %[wa], [%[a0]], #4\n\t" \
        "ldr.w %[wb], [%[a1]], #4\n\t" \
        "ldr.w %[wah], [%[a2]], #4\n\t" \
        TINYCC_COLS3_WIDEN("wa", "wb", "wah") \
        "add %[x], %[x], #16\n\t" \
        "subs %[a3], %[a3], #1\n\t" \
        "bne 6b\n\t" \
        "b 7b\n\t" \
        "9:\n\t" \
        "add sp, sp, #56\n\t" \
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [a4] "=&r"(a4), [a5] "=&r"(a5), \
          [x] "=&r"(x), [w] "=&r"(w), [wa] "=&r"(wa), [wb] "=&r"(wb), [wah] "=&r"(wah), [wbh] "=&r"(wbh), \
          [xl] "=&r"(xl), [xh] "=&r"(xh) \
        : [xbm] "m"(xbv), [opm] "m"(opv), [com] "m"(cov), [offm] "m"(offv), [zpm] "m"(zpv), [endm] "m"(endv), \
          [keym] "m"(keyv), [inm] "m"(inv), [instepm] "m"(instepv), [outstepm] "m"(outstepv), [nbm] "m"(nbv), \
          [gm] "m"(gv), [wm] "m"(wv), \
          [kb] "i"(TINYCC_COLS_B), \
          [kb4] "i"(TINYCC_COLS_B + 4) \
        : "cc", "memory"); \
}
TINYCC_COLS3_PW3_FN(tinycc_cols_pw3_asm, TINYCC_COLS3_PAIRS(TINYCC_COLS3_PW_BODIES, TINYCC_COLS3_PW_PEEL, TINYCC_COLS3_LDW8),
                    TINYCC_COLS3_PW16 ? 16 : 8, 96, TINYCC_COLS3_PW_HEAD2 ? 2 : 1)
/* the emitter's (conv_2d.py's pww_bytes): 1 when a pointwise node takes its weights pre-widened to int16 in RAM
 * (tinycc_cols_pww_widen): tinycc_cols_pw3w_asm, the pair loop 8 groups a pass of 88 bytes (no SXTB16 of the
 * weights: 25 est. cycles a group for 27) */
#ifndef TINYCC_COLS_PWW
#define TINYCC_COLS_PWW 0
#endif
/* the emitter's (conv_2d.py's takes_pw4): 1 when a node with widened weights takes the four-pixel loop below
 * (its pixels whole blocks of four), TINYCC_COLS_PWW3 1 when one takes tinycc_cols_pw3w_asm */
#ifndef TINYCC_COLS_PW4
#define TINYCC_COLS_PW4 0
#endif
#ifndef TINYCC_COLS_PWW3
#define TINYCC_COLS_PWW3 1
#endif
#if TINYCC_COLS_PWW && TINYCC_COLS_PW4
#define TINYCC_COLS4 1
#endif
#if TINYCC_COLS_PWW && (TINYCC_COLS_PWW3 || !defined(TINYCC_COLS4))
#define TINYCC_COLS3W 1
#endif
#ifdef TINYCC_COLS3W
/* as TINYCC_COLS3_PW_G1, _G2 for the nodes that take widened weights */
#ifndef TINYCC_COLS3_PWW_G1
#define TINYCC_COLS3_PWW_G1 1
#endif
#ifndef TINYCC_COLS3_PWW_G2
#define TINYCC_COLS3_PWW_G2 0
#endif
#if TINYCC_COLS3_PWW_G2 && !TINYCC_COLS3_PWW_G1
#define TINYCC_COLS3_PWW_HEAD2 2
#define TINYCC_COLS3_PWW_PEEL TINYCC_COLS3_BODYW
#else
#define TINYCC_COLS3_PWW_HEAD2 1
#define TINYCC_COLS3_PWW_PEEL ""
#endif
#define TINYCC_COLS3_BODYW8 \
    TINYCC_COLS3_BODYW TINYCC_COLS3_BODYW TINYCC_COLS3_BODYW TINYCC_COLS3_BODYW \
    TINYCC_COLS3_BODYW TINYCC_COLS3_BODYW TINYCC_COLS3_BODYW TINYCC_COLS3_BODYW
TINYCC_COLS3_PW3_FN(tinycc_cols_pw3w_asm, TINYCC_COLS3_PAIRS(TINYCC_COLS3_BODYW8, TINYCC_COLS3_PWW_PEEL,
                                                             TINYCC_COLS3_LDW16), 8, 88, TINYCC_COLS3_PWW_HEAD2)
#undef TINYCC_COLS3_BODYW8
#undef TINYCC_COLS3_PWW_HEAD2
#undef TINYCC_COLS3_PWW_PEEL
#endif
#if TINYCC_COLS_PWW
/* n runs of four groups of a channel pair's int8 words (8 words from w) widened to int16 (16 words at d, as
 * tinycc_cols_pww_widen lays them: SXTB16 and SXTB16 ROR 8 of each word in turn): 8 loads back to back,
 * 16 SXTB16 and 16 immediate-offset stores, 45 est. cycles a run of 32 weights (C's loop: about 2.3 a weight) */
#define TINYCC_COLS_PWW_WORD(R, OFF) \
    "sxtb16 %[t], %[" R "]\n\t" "sxtb16 %[" R "], %[" R "], ror #8\n\t" \
    "str %[t], [%[d], #" #OFF "]\n\t" "str %[" R "], [%[d], #" #OFF " + 4]\n\t"
static inline void tinycc_cols_pww_quads_asm(const int32_t *w, int32_t *d, int n) {
    int32_t v0, v1, v2, v3, v4, v5, v6, v7, t;
    __asm__ volatile(
        "1:\n\t"
        "ldr %[v1], [%[w], #4]\n\t"
        "ldr %[v2], [%[w], #8]\n\t"
        "ldr %[v3], [%[w], #12]\n\t"
        "ldr %[v4], [%[w], #16]\n\t"
        "ldr %[v5], [%[w], #20]\n\t"
        "ldr %[v6], [%[w], #24]\n\t"
        "ldr %[v7], [%[w], #28]\n\t"
        "ldr %[v0], [%[w]], #32\n\t"
        TINYCC_COLS_PWW_WORD("v1", 8) TINYCC_COLS_PWW_WORD("v2", 16)
        TINYCC_COLS_PWW_WORD("v3", 24) TINYCC_COLS_PWW_WORD("v4", 32) TINYCC_COLS_PWW_WORD("v5", 40)
        TINYCC_COLS_PWW_WORD("v6", 48) TINYCC_COLS_PWW_WORD("v7", 56)
        "sxtb16 %[t], %[v0], ror #8\n\t"   /* word 0 last: its second store, then the first moves d on */
        "sxtb16 %[v0], %[v0]\n\t"
        "str %[t], [%[d], #4]\n\t"
        "str %[v0], [%[d]], #64\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        : [w] "+&r"(w), [d] "+&r"(d), [n] "+&r"(n), [v0] "=&r"(v0), [v1] "=&r"(v1), [v2] "=&r"(v2),
          [v3] "=&r"(v3), [v4] "=&r"(v4), [v5] "=&r"(v5), [v6] "=&r"(v6), [v7] "=&r"(v7), [t] "=&r"(t)
        :
        : "cc", "memory");
}
#undef TINYCC_COLS_PWW_WORD
#endif
#ifdef TINYCC_COLS4
/* Four pixels by two channels with the weights widened to int16 in RAM (tinycc_cols_pww_widen's words: kb0, kb1,
 * per group channel 0's taps 0, 2 and 1, 3, then channel 1's, W0, W1). A block's four pixels are widened into
 * the column group by group, 32 bytes a group: pixel p's taps 0, 2 at 8 p, taps 1, 3 at 8 p + 4 (SXTB16 and
 * SXTB16 ROR 8 of its word; two groups a pass, their eight loads back to back: about 23.5 est. cycles a group). A group of a pair is two halves (taps 1, 3
 * then 0, 2), each two weight words and four column words in two runs of loads (4 and 2) and 8 SMLAD: 32
 * cycles for 32 MACs where the three-pixel loop takes 25 for 24 (27 from int8 weights), and a pair's fixed
 * cost (its entry, the mark's test, the 8 outputs' requantisation and stores, the loop) shared by 8 outputs,
 * not 6. The 14 registers hold 8 accumulators, the two pointers, the two weight words and two column words:
 * the pass ends at the mark 0x80008000 after the last group (TINYCC_COLS3_MARK), entered by LDR PC (every
 * group 112 bytes of 32-bit instructions), the first group peeled with the folded biases (two when
 * TINYCC_COLS4_HEAD2). Outputs as tinycc_cols_block3_asm's: SMMLAR, ASR s, SUB 255, SSAT ASR 1 (TINYCC_COLS_SIGN
 * 0), else SMMLAR, ADD ASR #31, ADD h (zp2 << s), ASR s, SSAT ASR 1, in place. Its frame (56 bytes below sp):
 * the column, op, co, the entry, the block's input, op + co, the key, the input and output steps, the blocks
 * left, the first pair's words, g, zp2. */
#ifndef TINYCC_COLS4_PW16
#define TINYCC_COLS4_PW16 1     /* the emitter's: 1 when a node of the loop has more than 16 groups */
#endif
#ifndef TINYCC_COLS4_PW32
#define TINYCC_COLS4_PW32 0     /* the emitter's: 1 when one has more than 24 (32 groups a pass, 1,792 bytes more) */
#endif
#ifndef TINYCC_COLS4_G1
#define TINYCC_COLS4_G1 1       /* the emitter's: whether a node of the loop has 1 group (G1), 2 groups (G2) */
#endif
#ifndef TINYCC_COLS4_G2
#define TINYCC_COLS4_G2 0
#endif
#define TINYCC_COLS4_HEAD2 (TINYCC_COLS4_G2 && !TINYCC_COLS4_G1)
#define TINYCC_COLS4_N (TINYCC_COLS4_PW32 ? 32 : TINYCC_COLS4_PW16 ? 16 : 8)
#define TINYCC_COLS4_MAC(A, X, W, S) "smlad %[" A "], %[" X "], %[" W "], %[" S "]\n\t"
/* one group of a pair: 32 MACs, 112 bytes; B.. the accumulators pixels 1..3 start from (the first group's:
 * the folded biases in a00, a01, which pixel 0's take last) */
#define TINYCC_COLS4_GROUP(B10, B11, B20, B21, B30, B31) \
    "ldr.w %[w0], [%[w], #4]\n\t" \
    "ldr.w %[w1], [%[w], #12]\n\t" \
    "ldr.w %[x0], [%[x], #12]\n\t" \
    "ldr.w %[x1], [%[x], #20]\n\t" \
    TINYCC_COLS4_MAC("a10", "x0", "w0", B10) TINYCC_COLS4_MAC("a11", "x0", "w1", B11) \
    TINYCC_COLS4_MAC("a20", "x1", "w0", B20) TINYCC_COLS4_MAC("a21", "x1", "w1", B21) \
    "ldr.w %[x0], [%[x], #28]\n\t" \
    "ldr.w %[x1], [%[x], #4]\n\t" \
    TINYCC_COLS4_MAC("a30", "x0", "w0", B30) TINYCC_COLS4_MAC("a31", "x0", "w1", B31) \
    TINYCC_COLS4_MAC("a00", "x1", "w0", "a00") TINYCC_COLS4_MAC("a01", "x1", "w1", "a01") \
    "ldr.w %[w1], [%[w], #8]\n\t" \
    "ldr.w %[w0], [%[w]], #16\n\t" \
    "ldr.w %[x0], [%[x], #8]\n\t" \
    "ldr.w %[x1], [%[x], #16]\n\t" \
    TINYCC_COLS4_MAC("a10", "x0", "w0", "a10") TINYCC_COLS4_MAC("a11", "x0", "w1", "a11") \
    TINYCC_COLS4_MAC("a20", "x1", "w0", "a20") TINYCC_COLS4_MAC("a21", "x1", "w1", "a21") \
    "ldr.w %[x0], [%[x], #24]\n\t" \
    "ldr.w %[x1], [%[x]], #32\n\t" \
    TINYCC_COLS4_MAC("a30", "x0", "w0", "a30") TINYCC_COLS4_MAC("a31", "x0", "w1", "a31") \
    TINYCC_COLS4_MAC("a00", "x1", "w0", "a00") TINYCC_COLS4_MAC("a01", "x1", "w1", "a01")
#define TINYCC_COLS4_BODY TINYCC_COLS4_GROUP("a10", "a11", "a20", "a21", "a30", "a31")
#define TINYCC_COLS4_BODY8 \
    TINYCC_COLS4_BODY TINYCC_COLS4_BODY TINYCC_COLS4_BODY TINYCC_COLS4_BODY \
    TINYCC_COLS4_BODY TINYCC_COLS4_BODY TINYCC_COLS4_BODY TINYCC_COLS4_BODY
#if TINYCC_COLS4_PW32
#define TINYCC_COLS4_BODIES TINYCC_COLS4_BODY8 TINYCC_COLS4_BODY8 TINYCC_COLS4_BODY8 TINYCC_COLS4_BODY8
#elif TINYCC_COLS4_PW16
#define TINYCC_COLS4_BODIES TINYCC_COLS4_BODY8 TINYCC_COLS4_BODY8
#else
#define TINYCC_COLS4_BODIES TINYCC_COLS4_BODY8
#endif
#if TINYCC_COLS4_HEAD2
#define TINYCC_COLS4_PEEL TINYCC_COLS4_BODY
#else
#define TINYCC_COLS4_PEEL ""
#endif
/* a group of the block's pixels 0..3 (their words in P0..P3) widened into the column at x, x advanced (a20: a
 * temporary) */
#define TINYCC_COLS4_WIDEN(P0, P1, P2, P3) \
    "sxtb16 %[a20], %[" P0 "]\n\t" "sxtb16 %[" P0 "], %[" P0 "], ror #8\n\t" \
    "str %[a20], [%[x]]\n\t" "str %[" P0 "], [%[x], #4]\n\t" \
    "sxtb16 %[a20], %[" P1 "]\n\t" "sxtb16 %[" P1 "], %[" P1 "], ror #8\n\t" \
    "str %[a20], [%[x], #8]\n\t" "str %[" P1 "], [%[x], #12]\n\t" \
    "sxtb16 %[a20], %[" P2 "]\n\t" "sxtb16 %[" P2 "], %[" P2 "], ror #8\n\t" \
    "str %[a20], [%[x], #16]\n\t" "str %[" P2 "], [%[x], #20]\n\t" \
    "sxtb16 %[a20], %[" P3 "]\n\t" "sxtb16 %[" P3 "], %[" P3 "], ror #8\n\t" \
    "str %[a20], [%[x], #24]\n\t" "str %[" P3 "], [%[x], #28]\n\t" \
    "adds %[x], %[x], #32\n\t"
/* accumulator A's output (shift in S, h in H): (A >> s) - 255 (TINYCC_COLS_SIGN 0: h = -255 << s), else
 * (A + (A >> 31) + h) >> s; SSAT ASR 1 */
#if TINYCC_COLS_SIGN
#define TINYCC_COLS4_RQ(A, S, H) \
    "add %[" A "], %[" A "], %[" A "], asr #31\n\t" "add %[" A "], %[" A "], %[" H "]\n\t" \
    "asr %[" A "], %[" A "], %[" S "]\n\t" "ssat %[" A "], #8, %[" A "], asr #1\n\t"
/* the tail's loads after W0, W1 (one run): the key into x, zp2 into x1; after the outputs' requantisation op,
 * co into x, x0 (KEY: the register the key is in) */
#define TINYCC_COLS4_LOADS TINYCC_COLS_LDKEY("x", "24") "ldr %[x1], [sp, #48]\n\t"
#define TINYCC_COLS4_KEY "x"
#define TINYCC_COLS4_H /* h0, h1 = zp2 << s0, s1 into x0, x1 */ \
    "lsl %[x0], %[x1], %[w0]\n\t" "lsl %[x1], %[x1], %[w1]\n\t"
#define TINYCC_COLS4_OPCO "ldr %[x], [sp, #4]\n\t" "ldr %[x0], [sp, #8]\n\t"
#else
#define TINYCC_COLS4_RQ(A, S, H) \
    "asr %[" A "], %[" A "], %[" S "]\n\t" "sub %[" A "], %[" A "], #255\n\t" "ssat %[" A "], #8, %[" A "], asr #1\n\t"
#define TINYCC_COLS4_LOADS TINYCC_COLS_LDKEY("x1", "24") "ldr %[x], [sp, #4]\n\t" "ldr %[x0], [sp, #8]\n\t"
#define TINYCC_COLS4_KEY "x1"
#define TINYCC_COLS4_H ""
#define TINYCC_COLS4_OPCO ""
#endif
static inline void tinycc_cols_pw4w_asm(const tinycc_cols *c, const int32_t *w, int g, int8_t *op, int co,
                                        int32_t zp2, int32_t key, const int8_t *in, int nb, int backward) {
    const int32_t *xbv = c->w, *wv = w;
    int8_t *opv = op, *endv = op + co;
    const int8_t *inv = in;
    int32_t keyv = key, zpv = zp2;
    int cov = co, offv = tinycc_cols3_entry(g, TINYCC_COLS4_N, TINYCC_COLS4_HEAD2 ? 2 : 1, 112), gv = g, nbv = nb;
    int instepv = backward ? -16 * g : 16 * g, outstepv = backward ? -4 * co : 4 * co;
    const int32_t *x;
    int32_t a00, a01, a10, a11, a20, a21, a30, a31, w0, w1, x0, x1;
    __asm__ volatile(
        "ldr %[x], %[xbm]\n\t"
        "ldr %[w0], %[opm]\n\t"
        "ldr %[w1], %[com]\n\t"
        "ldr %[a00], %[offm]\n\t"
        "ldr %[x0], %[endm]\n\t"
        "ldr %[x1], %[keym]\n\t"
        "ldr %[a01], %[inm]\n\t"
        "ldr %[a10], %[instepm]\n\t"
        "ldr %[a11], %[outstepm]\n\t"
        "ldr %[a20], %[nbm]\n\t"
        "ldr %[a21], %[gm]\n\t"
        "ldr %[w], %[wm]\n\t"
        "ldr %[a31], %[zpm]\n\t"
        TINYCC_COLS_ENTRY("a00", "a30")
        "sub sp, sp, #56\n\t"
        "str %[x], [sp]\n\t"
        "str %[w0], [sp, #4]\n\t"
        "str %[w1], [sp, #8]\n\t"
        "str %[a00], [sp, #12]\n\t"
        "str %[a01], [sp, #16]\n\t"
        "str %[x0], [sp, #20]\n\t"
        "str %[x1], [sp, #24]\n\t"
        "str %[a10], [sp, #28]\n\t"
        "str %[a11], [sp, #32]\n\t"
        "str %[a20], [sp, #36]\n\t"
        "str %[w], [sp, #40]\n\t"
        "str %[a21], [sp, #44]\n\t"
        "str %[a31], [sp, #48]\n\t"
        "mov %[a00], %[a01]\n\t"            /* the block's input, g */
        "mov %[a01], %[a21]\n\t"
        "4:\n\t"                            /* the block's four pixels widened, two groups a pass */
        "lsl %[a10], %[a01], #2\n\t"         /* a pixel's bytes, 4 g; 12 g */
        "add %[a11], %[a10], %[a10], lsl #1\n\t"
        "tst %[a01], #1\n\t"                /* an odd group count: one group alone first (at 8:) */
        "bne 8f\n\t"
        "6:\n\t"                            /* two groups a pass: their eight loads back to back */
        "ldr %[w0], [%[a00], %[a10]]\n\t"
        "ldr %[w1], [%[a00], %[a10], lsl #1]\n\t"
        "ldr %[x1], [%[a00], %[a11]]\n\t"
        "ldr %[x0], [%[a00]], #4\n\t"
        "ldr %[a30], [%[a00], %[a10]]\n\t"
        "ldr %[a31], [%[a00], %[a10], lsl #1]\n\t"
        "ldr %[w], [%[a00], %[a11]]\n\t"
        "ldr %[a21], [%[a00]], #4\n\t"
        TINYCC_COLS4_WIDEN("x0", "w0", "w1", "x1")
        TINYCC_COLS4_WIDEN("a21", "a30", "a31", "w")
        "subs %[a01], %[a01], #2\n\t"
        "bne 6b\n\t"
        "b 7f\n\t"
        "8:\n\t"
        "ldr %[w0], [%[a00], %[a10]]\n\t"
        "ldr %[w1], [%[a00], %[a10], lsl #1]\n\t"
        "ldr %[x1], [%[a00], %[a11]]\n\t"
        "ldr %[x0], [%[a00]], #4\n\t"
        TINYCC_COLS4_WIDEN("x0", "w0", "w1", "x1")
        "subs %[a01], %[a01], #1\n\t"
        "bne 6b\n\t"
        "7:\n\t"
        "ldr %[w], [sp, #40]\n\t"
        "1:\n\t"                            /* a pair: kb0, kb1, the column, its first group */
        "ldr %[x], [sp]\n\t"
        "ldr.w %[a00], [%[w]], #4\n\t"
        "ldr.w %[a01], [%[w]], #4\n\t"
        TINYCC_COLS4_GROUP("a00", "a01", "a00", "a01", "a00", "a01")
        TINYCC_COLS4_PEEL
        "ldr pc, [sp, #12]\n\t"
        ".p2align 2\n\t"
        "2:\n\t"
        TINYCC_COLS4_BODIES
        "ldr.w %[x0], [%[x]]\n\t"           /* the next group's first word: the mark after the last */
        "cmp.w %[x0], #0x80008000\n\t"
        "bne.w 2b\n\t"
        "ldr.w %[w0], [%[w]], #4\n\t"       /* W0, W1 (the entry past the loop when g is 1) */
        "ldr.w %[w1], [%[w]], #4\n\t"
        TINYCC_COLS4_LOADS
        "smmlar %[a00], %[a00], %[w0], %[a00]\n\t"
        "smmlar %[a10], %[a10], %[w0], %[a10]\n\t"
        "smmlar %[a20], %[a20], %[w0], %[a20]\n\t"
        "smmlar %[a30], %[a30], %[w0], %[a30]\n\t"
        "smmlar %[a01], %[a01], %[w1], %[a01]\n\t"
        "smmlar %[a11], %[a11], %[w1], %[a11]\n\t"
        "smmlar %[a21], %[a21], %[w1], %[a21]\n\t"
        "smmlar %[a31], %[a31], %[w1], %[a31]\n\t"
        TINYCC_COLS_SHIFTS("w0", "w1", "w0", "w1", TINYCC_COLS4_KEY)   /* s0, s1 */
        TINYCC_COLS4_H
        TINYCC_COLS4_RQ("a00", "w0", "x0") TINYCC_COLS4_RQ("a10", "w0", "x0") TINYCC_COLS4_RQ("a20", "w0", "x0")
        TINYCC_COLS4_RQ("a30", "w0", "x0") TINYCC_COLS4_RQ("a01", "w1", "x1") TINYCC_COLS4_RQ("a11", "w1", "x1")
        TINYCC_COLS4_RQ("a21", "w1", "x1") TINYCC_COLS4_RQ("a31", "w1", "x1")
        TINYCC_COLS4_OPCO
        "add %[x1], %[x], %[x0]\n\t"        /* op + co, + 2 co, + 3 co */
        "strb %[a00], [%[x]], #1\n\t"
        "strb %[a01], [%[x]], #1\n\t"
        "add %[w0], %[x1], %[x0]\n\t"
        "strb %[a10], [%[x1]]\n\t"
        "strb %[a11], [%[x1], #1]\n\t"
        "add %[w1], %[w0], %[x0]\n\t"
        "strb %[a20], [%[w0]]\n\t"
        "strb %[a21], [%[w0], #1]\n\t"
        "strb %[a30], [%[w1]]\n\t"
        "strb %[a31], [%[w1], #1]\n\t"
        "str %[x], [sp, #4]\n\t"
        "ldr %[x0], [sp, #20]\n\t"          /* past the last pair */
        "cmp %[x], %[x0]\n\t"
        "bne 1b\n\t"
        "ldr %[a21], [sp, #36]\n\t"         /* the blocks left; the next block: in += instep, */
        "ldr %[a00], [sp, #16]\n\t"         /* end += outstep, op = end - co (one run of loads) */
        "ldr %[a10], [sp, #28]\n\t"
        "ldr %[a11], [sp, #32]\n\t"
        "ldr %[a20], [sp, #8]\n\t"
        "ldr %[a01], [sp, #44]\n\t"
        "ldr %[x], [sp]\n\t"
        "subs %[a21], %[a21], #1\n\t"
        "beq 9f\n\t"
        "str %[a21], [sp, #36]\n\t"
        "add %[a00], %[a00], %[a10]\n\t"
        "add %[x0], %[x0], %[a11]\n\t"
        "sub %[a20], %[x0], %[a20]\n\t"
        "str %[a00], [sp, #16]\n\t"
        "str %[x0], [sp, #20]\n\t"
        "str %[a20], [sp, #4]\n\t"
        "b 4b\n\t"
        "9:\n\t"
        "add sp, sp, #56\n\t"
        : [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11), [a20] "=&r"(a20),
          [a21] "=&r"(a21), [a30] "=&r"(a30), [a31] "=&r"(a31), [x] "=&r"(x), [w] "=&r"(w), [w0] "=&r"(w0),
          [w1] "=&r"(w1), [x0] "=&r"(x0), [x1] "=&r"(x1)
        : [xbm] "m"(xbv), [opm] "m"(opv), [com] "m"(cov), [offm] "m"(offv), [endm] "m"(endv), [keym] "m"(keyv),
          [inm] "m"(inv), [instepm] "m"(instepv), [outstepm] "m"(outstepv), [nbm] "m"(nbv), [gm] "m"(gv),
          [wm] "m"(wv), [zpm] "m"(zpv)
        : "cc", "memory");
}
#undef TINYCC_COLS4_MAC
#undef TINYCC_COLS4_H
#undef TINYCC_COLS4_LOADS
#undef TINYCC_COLS4_KEY
#undef TINYCC_COLS4_OPCO
#undef TINYCC_COLS4_GROUP
#undef TINYCC_COLS4_BODY
#undef TINYCC_COLS4_BODY8
#undef TINYCC_COLS4_BODIES
#undef TINYCC_COLS4_PEEL
#undef TINYCC_COLS4_RQ
#undef TINYCC_COLS4_WIDEN
#endif
#undef TINYCC_COLS3_PW3_FN
#undef TINYCC_COLS3_BODYW
#undef TINYCC_COLS3_LDW8
#undef TINYCC_COLS3_LDW16
#undef TINYCC_COLS3_BODY
#undef TINYCC_COLS3_BODY8
#undef TINYCC_COLS3_BODY16
#undef TINYCC_COLS3_PW_BODIES
#undef TINYCC_COLS3_PW_PEEL
#undef TINYCC_COLS3_PW_HEAD2
#undef TINYCC_COLS3_WIDEN
#undef TINYCC_COLS3_PAIRS
#undef TINYCC_COLS3_TAIL
#undef TINYCC_COLS3_SMMLAR6
#undef TINYCC_COLS3_OUT3
#undef TINYCC_COLS3_ARGS
#undef TINYCC_COLS3_FRAME
#undef TINYCC_COLS3_GROUP
#undef TINYCC_COLS3_MAC
#undef TINYCC_COLS3_LOAD2
#undef TINYCC_COLS3_RQ
#endif
#undef TINYCC_COLS_ENTRY
#undef TINYCC_COLS_SIGN_ADD
#undef TINYCC_COLS_SHIFTS
#undef TINYCC_COLS_LDKEY

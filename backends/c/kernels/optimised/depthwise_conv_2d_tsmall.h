/* Depthwise 3x3 over small planes (tinycc_depthwise_conv_2d_s8_tsmall; DSP core, packed filter with rq 1
 * or 2, co a multiple of 4, stride 1 or 2 across, no clipping, 2 to 7 output columns whose plane rows
 * fit 16 or 32 bytes, where the emitter expects it to pay: _tsmall_bytes, which the kernel trusts as
 * tpair trusts its; elsewhere (no DSP, Helium) tinycc_depthwise_conv_2d_s8_fast). tpair's
 * (depthwise_conv_2d_tpair.h) taps paired along rows, with
 * its set-up (filter pairs, multiplier, requantisation word) once a channel instead of once a channel
 * and row: four channels' whole padded input planes are widened once to int16, channel-planar (plane j,
 * row y, column x at int16 j * ps + y * rb / 2 + x, rb the bytes of a plane row; outside the input the
 * input zero point, which the folded bias cancels), then one block of assembly a channel takes all
 * its output rows, two outputs a pass with the filter's rows 0 and 1 as pairs fa = (w0, w1), fb = (w1,
 * w2) in registers (row 2's from its frame):
 *   stride 1: out0 += SMLAD(A, fa) + SMLABT(B, fb), out1 += SMLATB(A, fa) + SMLAD(B, fb)
 *   stride 2: out0 += SMLAD(A, fa) + SMLABT(B, fb), out1 += SMLAD(B, fa) + SMLABT(C, fb)
 * (A, B, C the words of columns (0, 1), (2, 3), (4, 5) of the window's row), stored a byte at a time at
 * the channel stride; an odd width's last pair stores its first output only. A plane row's pairs end
 * on an rb-byte boundary: the loop's end test is one TST. In place the output overwrites only bytes of
 * the channels already widened (same channel, the output no larger than the input): no ring. The
 * requantisation loops are tpair's (rq 1, rq 2, z0: tinycc_dw_s8_tpair's records), z0 for rq 2 too: its
 * derivation holds for any shift r whose Ra = 2^(r-1) - 128 * 2^r fits int32 (r <= 24, rq 2's range).
 * Measured: about 41 est. cycles an output pair (2.3 a MAC) and 350 a channel's set-up and widening
 * (VWW's 6x6x128 layers 200,747 -> 148,564 est. cycles; KWS's 25x5x64 344,632 -> 249,971; VWW's 3x3
 * outputs and 12x12 stride 2 stay with the fast kernel: _tsmall_pays). Mode z0 with 3 or 2 output pairs a
 * row (stride 1 across with 16-byte plane rows, stride 2 with 32) takes a row loop instead
 * (TINYCC_DW_SM_ASMR: a whole output row a pass, 6 or 4 accumulators, no frame, the four channels in one
 * block): about 100 est. cycles a row of 3 pairs at stride 1 against the pair loop's 130. VWW's 6x6x128
 * layers 137,753 -> 103,809 est. cycles, its 12x12x64 stride 2 97,707 -> 76,800, its 3x3 outputs (now
 * here) 58,856 -> 52,912 (stride 2) and 101,920 -> 83,887; KWS's 25x5x64 248,948 -> 173,135. */
#ifndef TINYCC_DW_SM_BYTES
#define TINYCC_DW_SM_BYTES 4096   /* the emitter's: the most bytes a node's four planes take */
#endif
#ifndef TINYCC_DW_SM_STACK
#define TINYCC_DW_SM_STACK 4096   /* the emitter's: the most plane bytes a node without room in the arena needs */
#endif
#ifndef TINYCC_DW_SM_RQ
#define TINYCC_DW_SM_RQ 7         /* the emitter's: the nodes' loops (bit 1: rq 1, bit 2: rq 2, bit 4: z0) */
#endif
#ifndef TINYCC_DW_SM_ODD
#define TINYCC_DW_SM_ODD 3        /* the emitter's: the nodes' output widths (bit 1: even, bit 2: odd) */
#endif
#ifndef TINYCC_DW_SM_RBS
#define TINYCC_DW_SM_RBS 3        /* the emitter's: the nodes' plane rows (bit 1: 16 bytes, bit 2: 32) */
#endif
#ifndef TINYCC_DW_SM_EDGES
#define TINYCC_DW_SM_EDGES 15     /* the emitter's: the nodes' odd first and last input columns (bit 1 << (first + 2 last)) */
#endif
#ifndef TINYCC_DW_SM_ROWL
#define TINYCC_DW_SM_ROWL 65535   /* the emitter's: the nodes' row loops (bit 1 << (odd width + 2 (stride down - 1) + 4 kind)) */
#endif
#ifndef TINYCC_DW_SM_SW
#define TINYCC_DW_SM_SW 3         /* the emitter's: the nodes' strides across (bit 1: 1, bit 2: 2) */
#endif

#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
/* x[] word at byte XO to the frame at FO */
#define TINYCC_DW_SM_X(XO, FO) "ldr %[W], [%[p], #" XO "]\n\t" "str %[W], [sp, #" FO "]\n\t"
/* a window row at byte OFF of the pair: filter pairs in registers FA, FB; or row 2's from the frame (F) */
#define TINYCC_DW_SM_R1(OFF, FA, FB) \
    "ldr %[W], [%[p], #" OFF "]\n\t" "ldr %[F], [%[p], #" OFF "+4]\n\t" "smlad %[a0], %[W], %[" FA "], %[a0]\n\t" \
    "smlatb %[a1], %[W], %[" FA "], %[a1]\n\t" "smlabt %[a0], %[F], %[" FB "], %[a0]\n\t" \
    "smlad %[a1], %[F], %[" FB "], %[a1]\n\t"
#define TINYCC_DW_SM_F1(OFF) \
    "ldr %[W], [%[p], #" OFF "]\n\t" "ldr %[F], [sp, #0]\n\t" "smlad %[a0], %[W], %[F], %[a0]\n\t" \
    "smlatb %[a1], %[W], %[F], %[a1]\n\t" "ldr %[W], [%[p], #" OFF "+4]\n\t" "ldr %[F], [sp, #4]\n\t" \
    "smlabt %[a0], %[W], %[F], %[a0]\n\t" "smlad %[a1], %[W], %[F], %[a1]\n\t"
#define TINYCC_DW_SM_R2(OFF, FA, FB) \
    "ldr %[W], [%[p], #" OFF "]\n\t" "ldr %[F], [%[p], #" OFF "+4]\n\t" "smlad %[a0], %[W], %[" FA "], %[a0]\n\t" \
    "smlabt %[a0], %[F], %[" FB "], %[a0]\n\t" "smlad %[a1], %[F], %[" FA "], %[a1]\n\t" \
    "ldr %[W], [%[p], #" OFF "+8]\n\t" "smlabt %[a1], %[W], %[" FB "], %[a1]\n\t"
#define TINYCC_DW_SM_F2(OFF) \
    "ldr %[W], [%[p], #" OFF "]\n\t" "ldr %[F], [sp, #0]\n\t" "smlad %[a0], %[W], %[F], %[a0]\n\t" \
    "ldr %[W], [%[p], #" OFF "+4]\n\t" "smlad %[a1], %[W], %[F], %[a1]\n\t" "ldr %[F], [sp, #4]\n\t" \
    "smlabt %[a0], %[W], %[F], %[a0]\n\t" "ldr %[W], [%[p], #" OFF "+8]\n\t" "smlabt %[a1], %[W], %[F], %[a1]\n\t"
/* the window's first row, the pair pointer advanced past the pair by its word load (post-indexed, after
 * the other load: no address just written), the later rows' offsets 4 sw less */
#define TINYCC_DW_SM_R1P \
    "ldr %[F], [%[p], #4]\n\t" "ldr %[W], [%[p]], #4\n\t" "smlad %[a0], %[W], %[fa0], %[a0]\n\t" \
    "smlatb %[a1], %[W], %[fa0], %[a1]\n\t" "smlabt %[a0], %[F], %[fb0], %[a0]\n\t" \
    "smlad %[a1], %[F], %[fb0], %[a1]\n\t"
#define TINYCC_DW_SM_R2P \
    "ldr %[F], [%[p], #4]\n\t" "ldr %[W], [%[p]], #8\n\t" "smlad %[a0], %[W], %[fa0], %[a0]\n\t" \
    "smlabt %[a0], %[F], %[fb0], %[a0]\n\t" "smlad %[a1], %[F], %[fa0], %[a1]\n\t" \
    "ldr %[W], [%[p]]\n\t" "smlabt %[a1], %[W], %[fb0], %[a1]\n\t"
/* the window's three rows at stride SW, plane rows of RB bytes */
#define TINYCC_DW_SM_ROWS1_16 TINYCC_DW_SM_R1P TINYCC_DW_SM_R1("12", "fa1", "fb1") TINYCC_DW_SM_F1("28")
#define TINYCC_DW_SM_ROWS2_16 TINYCC_DW_SM_R2P TINYCC_DW_SM_R2("8", "fa1", "fb1") TINYCC_DW_SM_F2("24")
#define TINYCC_DW_SM_ROWS1_32 TINYCC_DW_SM_R1P TINYCC_DW_SM_R1("28", "fa1", "fb1") TINYCC_DW_SM_F1("60")
#define TINYCC_DW_SM_ROWS2_32 TINYCC_DW_SM_R2P TINYCC_DW_SM_R2("24", "fa1", "fb1") TINYCC_DW_SM_F2("56")
/* requantisation: z0 (SMMLAR with Ra, shift r), rq 1 and rq 2 (tinycc_dw_rq's, W and F temporaries) */
#define TINYCC_DW_SM_Q0(A) \
    "smmlar %[W], %[" A "], %[m], %[w]\n\t" "asr %[" A "], %[W], %[r]\n\t" "ssat %[" A "], #8, %[" A "]\n\t"
#define TINYCC_DW_SM_Q12(A) \
    "asr %[W], %[" A "], #31\n\t" "add %[F], %[W], %[w], asr #8\n\t" "lsl %[W], %[W], #31\n\t" \
    "orr %[W], %[W], #0x40000000\n\t" "smlal %[W], %[F], %[" A "], %[m]\n\t" "asr %[" A "], %[F], %[w]\n\t"
#define TINYCC_DW_SM_REQ0 TINYCC_DW_SM_Q0("a0") TINYCC_DW_SM_Q0("a1")
#define TINYCC_DW_SM_REQ1 TINYCC_DW_SM_Q12("a0") TINYCC_DW_SM_Q12("a1") \
    "ssat %[a0], #8, %[a0]\n\t" "ssat %[a1], #8, %[a1]\n\t"
#define TINYCC_DW_SM_REQ2 TINYCC_DW_SM_Q12("a0") TINYCC_DW_SM_Q12("a1") "ldr %[W], [sp, #16]\n\t" \
    "add %[a0], %[a0], %[W]\n\t" "add %[a1], %[a1], %[W]\n\t" "ssat %[a0], #8, %[a0]\n\t" "ssat %[a1], #8, %[a1]\n\t"
/* a pair's stores and the row's end (the pair pointer on an RB-byte boundary: MASK RB - 1): even widths
 * store both outputs; odd ones the second only inside the row (the last pair's is past the row), then skip it */
#define TINYCC_DW_SM_TAIL0(MASK) \
    "strb %[a1], [%[o], %[cs]]\n\t" "add %[o], %[o], %[cs], lsl #1\n\t" "tst %[p], #" MASK "\n\t" "bne 1b\n\t"
#define TINYCC_DW_SM_TAIL1(MASK) \
    "tst %[p], #" MASK "\n\t" "itt ne\n\t" "strbne %[a1], [%[o], %[cs]]\n\t" "addne %[o], %[o], %[cs], lsl #1\n\t" \
    "bne 1b\n\t" "add %[o], %[o], %[cs]\n\t"
/* one channel's output pairs, every row: context x[] 0 the first pair's plane bytes (its row's rb-byte
 * block ends where the row's pairs end), 1 output, 2 fa2, 3 fb2, 4 folded bias, 5 co, 6 bytes from a
 * row's end to the next row's first pair, 7 rows, 8 out_zp, 9..12 fa0, fb0, fa1, fb1, 13 multiplier,
 * 14 requantisation word (z0: Ra), 15 shift r (z0). Its frame below sp (GCC has no register left):
 * +0 fa2, +4 fb2, +8 bias, +12 rows left, +16 out_zp, +20 x[6]. */
#define TINYCC_DW_SM_FRAME 24
#define TINYCC_DW_SM_MASK16 "15"
#define TINYCC_DW_SM_MASK32 "31"
#define TINYCC_DW_SM_ASM(SW, Z, ODD, RB) do { \
        int32_t a0_, a1_, W_, F_, fa0_, fb0_, fa1_, fb1_, m_, w_, r_, cs_, *p_ = x; \
        int8_t *o_; \
        __asm__ volatile("sub sp, sp, #24\n\t" \
                TINYCC_DW_SM_X("8", "0") TINYCC_DW_SM_X("12", "4") TINYCC_DW_SM_X("16", "8") \
                TINYCC_DW_SM_X("28", "12") TINYCC_DW_SM_X("32", "16") TINYCC_DW_SM_X("24", "20") \
                "ldr %[fa0], [%[p], #36]\n\t" "ldr %[fb0], [%[p], #40]\n\t" "ldr %[fa1], [%[p], #44]\n\t" \
                "ldr %[fb1], [%[p], #48]\n\t" "ldr %[m], [%[p], #52]\n\t" "ldr %[w], [%[p], #56]\n\t" \
                "ldr %[r], [%[p], #60]\n\t" "ldr %[cs], [%[p], #20]\n\t" "ldr %[o], [%[p], #4]\n\t" \
                "ldr %[p], [%[p]]\n\t" \
                "1:\n\t" \
                "ldr %[a0], [sp, #8]\n\t" "ldr %[a1], [sp, #8]\n\t" TINYCC_DW_SM_ROWS##SW##_##RB \
                TINYCC_DW_SM_REQ##Z \
                "strb %[a0], [%[o]]\n\t" TINYCC_DW_SM_TAIL##ODD(TINYCC_DW_SM_MASK##RB) \
                "ldr %[W], [sp, #20]\n\t" "add %[p], %[p], %[W]\n\t" "ldr %[W], [sp, #12]\n\t" \
                "subs %[W], %[W], #1\n\t" "str %[W], [sp, #12]\n\t" "bne 1b\n\t" \
                "add sp, sp, #24" \
                : [a0] "=&r"(a0_), [a1] "=&r"(a1_), [W] "=&r"(W_), [F] "=&r"(F_), [fa0] "=&r"(fa0_), \
                  [fb0] "=&r"(fb0_), [fa1] "=&r"(fa1_), [fb1] "=&r"(fb1_), [m] "=&r"(m_), [w] "=&r"(w_), \
                  [r] "=&r"(r_), [cs] "=&r"(cs_), [o] "=&r"(o_), [p] "+&r"(p_) \
                : : "memory", "cc"); \
    } while (0)
/* the row loops (mode z0, a node's kind: 3 output pairs at stride 1 across with plane rows of 16 bytes
 * (kind 0), 3 at stride 2 with rows of 32 (1), 2 at stride 1, 16 (2), 2 at stride 2, 32 (3); an odd
 * width's last output not stored): a whole output row a pass, its 6 or 4 accumulators in registers and
 * the context's words read where needed (register x, no frame), the four channels in one block (x
 * steps through the records). Data words Dk (columns (2k, 2k + 1)) of a window row:
 *   stride 1: out 2k += SMLAD(Dk, fa) + SMLABT(Dk+1, fb), out 2k+1 += SMLATB(Dk, fa) + SMLAD(Dk+1, fb)
 *   stride 2: out k += SMLAD(Dk, fa) + SMLABT(Dk+1, fb)
 * the first window row's fa products accumulating onto the folded bias (x[4], in register B first).
 * Kind 0's window row: filter pairs at context bytes FA, FB, data at byte OFF of the pair pointer, the
 * fa products onto S0..S5 (the accumulators; the first row: the bias) */
/* the pieces: stride 1's data words (filter pair fa in F) and the products of data word D with fa onto
 * outputs A (from SA) and B (from SB: left out when G), then with fb (in F) */
#define TINYCC_DW_SM_L1(FA, OFF, FL) \
    "ldr %[F], [%[x], #" FA "]\n\t" "ldr %[T], [%[p]" FL "\n\t" "ldr %[U], [%[p], #" OFF "+4]\n\t" \
    "ldr %[W], [%[p], #" OFF "+8]\n\t"
#define TINYCC_DW_SM_FA(A, B, D, SA, SB, G) \
    "smlad %[" A "], %[" D "], %[F], %[" SA "]\n\t" TINYCC_DW_SM_O##G("smlatb %[" B "], %[" D "], %[F], %[" SB "]\n\t")
#define TINYCC_DW_SM_FB(A, B, D, G) \
    "smlabt %[" A "], %[" D "], %[F], %[" A "]\n\t" TINYCC_DW_SM_O##G("smlad %[" B "], %[" D "], %[F], %[" B "]\n\t")
/* stride 2's (fa in F, fb in U): a data word's load, output A's fa product (from SA) and fb product, the
 * first three outputs' */
#define TINYCC_DW_SM_LD(R, OFF) "ldr %[" R "], [%[p], #" OFF "]\n\t"
#define TINYCC_DW_SM_M(A, D, SA) "smlad %[" A "], %[" D "], %[F], %[" SA "]\n\t"
#define TINYCC_DW_SM_N(A, D) "smlabt %[" A "], %[" D "], %[U], %[" A "]\n\t"
#define TINYCC_DW_SM_P2(FA, FB, OFF, FL, S0, S1, S2) \
    "ldr %[F], [%[x], #" FA "]\n\t" "ldr %[U], [%[x], #" FB "]\n\t" "ldr %[W], [%[p]" FL "\n\t" \
    TINYCC_DW_SM_LD("T", OFF "+4") TINYCC_DW_SM_M("a0", "W", S0) TINYCC_DW_SM_N("a0", "T") TINYCC_DW_SM_M("a1", "T", S1) \
    TINYCC_DW_SM_LD("W", OFF "+8") TINYCC_DW_SM_LD("T", OFF "+12") TINYCC_DW_SM_N("a1", "W") \
    TINYCC_DW_SM_M("a2", "W", S2) TINYCC_DW_SM_N("a2", "T")
#define TINYCC_DW_SM_K0(FA, FB, OFF, FL, S0, S1, S2, S3, S4, ODD) \
    TINYCC_DW_SM_L1(FA, OFF, FL) TINYCC_DW_SM_FA("a0", "a1", "T", S0, S1, 0) TINYCC_DW_SM_FA("a2", "a3", "U", S2, S3, 0) \
    TINYCC_DW_SM_FA("a4", "a5", "W", S4, "a5", ODD) "ldr %[F], [%[x], #" FB "]\n\t" "ldr %[T], [%[p], #" OFF "+12]\n\t" \
    TINYCC_DW_SM_FB("a0", "a1", "U", 0) TINYCC_DW_SM_FB("a2", "a3", "W", 0) TINYCC_DW_SM_FB("a4", "a5", "T", ODD)
#define TINYCC_DW_SM_K2(FA, FB, OFF, FL, S0, S1, S2, S3, S4, ODD) \
    TINYCC_DW_SM_L1(FA, OFF, FL) TINYCC_DW_SM_FA("a0", "a1", "T", S0, S1, 0) TINYCC_DW_SM_FA("a2", "a3", "U", S2, "a3", ODD) \
    "ldr %[F], [%[x], #" FB "]\n\t" TINYCC_DW_SM_FB("a0", "a1", "U", 0) TINYCC_DW_SM_FB("a2", "a3", "W", ODD)
#define TINYCC_DW_SM_K1(FA, FB, OFF, FL, S0, S1, S2, S3, S4, ODD) \
    TINYCC_DW_SM_P2(FA, FB, OFF, FL, S0, S1, S2) TINYCC_DW_SM_M("a3", "T", S3) TINYCC_DW_SM_LD("W", OFF "+16") \
    TINYCC_DW_SM_LD("T", OFF "+20") TINYCC_DW_SM_N("a3", "W") TINYCC_DW_SM_M("a4", "W", S4) TINYCC_DW_SM_N("a4", "T") \
    TINYCC_DW_SM_O##ODD(TINYCC_DW_SM_M("a5", "T", "a5") TINYCC_DW_SM_LD("W", OFF "+24") TINYCC_DW_SM_N("a5", "W"))
#define TINYCC_DW_SM_K3(FA, FB, OFF, FL, S0, S1, S2, S3, S4, ODD) \
    TINYCC_DW_SM_P2(FA, FB, OFF, FL, S0, S1, S2) \
    TINYCC_DW_SM_O##ODD(TINYCC_DW_SM_M("a3", "T", "a3") TINYCC_DW_SM_LD("W", OFF "+16") TINYCC_DW_SM_N("a3", "W"))
/* a kind's three window rows (RB bytes apart): the first onto the bias in its last accumulator; an odd
 * width's last accumulator (the output not stored) left out: TINYCC_DW_SM_O1 */
#define TINYCC_DW_SM_O0(X) X
#define TINYCC_DW_SM_O1(X)
#define TINYCC_DW_SM_KR(K, RB, RB2, B, ODD, STEP) \
    "ldr %[" B "], [%[x], #16]\n\t" TINYCC_DW_SM_K##K("36", "40", "-" STEP, "], #" STEP, B, B, B, B, B, ODD) \
    TINYCC_DW_SM_K##K("44", "48", RB "-" STEP, ", #" RB "-" STEP "]", "a0", "a1", "a2", "a3", "a4", ODD) \
    TINYCC_DW_SM_K##K("8", "12", RB2 "-" STEP, ", #" RB2 "-" STEP "]", "a0", "a1", "a2", "a3", "a4", ODD)
#define TINYCC_DW_SM_BODY0(ODD, STEP) TINYCC_DW_SM_KR(0, "16", "32", "a5", ODD, STEP)
#define TINYCC_DW_SM_BODY1(ODD, STEP) TINYCC_DW_SM_KR(1, "32", "64", "a5", ODD, STEP)
#define TINYCC_DW_SM_BODY2(ODD, STEP) TINYCC_DW_SM_KR(2, "16", "32", "a3", ODD, STEP)
#define TINYCC_DW_SM_BODY3(ODD, STEP) TINYCC_DW_SM_KR(3, "32", "64", "a3", ODD, STEP)
/* z0's requantisation in place (multiplier W, Ra F, shift T) */
#define TINYCC_DW_SM_RQ0(A) \
    "smmlar %[" A "], %[" A "], %[W], %[F]\n\t" "asr %[" A "], %[" A "], %[T]\n\t" "ssat %[" A "], #8, %[" A "]\n\t"
/* an output pair stored (accumulators A, B), the output pointer past it; or the first only (odd width's last) */
#define TINYCC_DW_SM_PAIR(A, B) TINYCC_DW_SM_RQ0(A) TINYCC_DW_SM_RQ0(B) "strb %[" A "], [%[o]]\n\t" \
    "strb %[" B "], [%[o], %[cs]]\n\t" "add %[o], %[o], %[cs], lsl #1\n\t"
#define TINYCC_DW_SM_LAST(A) TINYCC_DW_SM_RQ0(A) "strb %[" A "], [%[o]]\n\t" "add %[o], %[o], %[cs]\n\t"
/* the stores of kind K (0, 1: three pairs; 2, 3: two), odd width ODD */
#define TINYCC_DW_SM_ST0_0 TINYCC_DW_SM_PAIR("a0", "a1") TINYCC_DW_SM_PAIR("a2", "a3") TINYCC_DW_SM_PAIR("a4", "a5")
#define TINYCC_DW_SM_ST0_1 TINYCC_DW_SM_PAIR("a0", "a1") TINYCC_DW_SM_PAIR("a2", "a3") TINYCC_DW_SM_LAST("a4")
#define TINYCC_DW_SM_ST2_0 TINYCC_DW_SM_PAIR("a0", "a1") TINYCC_DW_SM_PAIR("a2", "a3")
#define TINYCC_DW_SM_ST2_1 TINYCC_DW_SM_PAIR("a0", "a1") TINYCC_DW_SM_LAST("a2")
#define TINYCC_DW_SM_ST1_0 TINYCC_DW_SM_ST0_0
#define TINYCC_DW_SM_ST1_1 TINYCC_DW_SM_ST0_1
#define TINYCC_DW_SM_ST3_0 TINYCC_DW_SM_ST2_0
#define TINYCC_DW_SM_ST3_1 TINYCC_DW_SM_ST2_1
/* the four channels' rows (records x .. x + 4, 72 bytes apart: TINYCC_DW_SM_ASM's context and 16 the
 * pair pointer past the last row, 17 the records' end), the window's rows STEP bytes apart (rb sh) */
#define TINYCC_DW_SM_ASMR(K, ODD, STEP) do { \
        int32_t a0_, a1_, a2_, a3_, a4_, a5_, W_, F_, T_, U_, cs_, *p_, *x_ = rec[0]; \
        int8_t *o_; \
        __asm__ volatile("0:\n\t" "ldr %[p], [%[x]]\n\t" "ldr %[o], [%[x], #4]\n\t" "ldr %[cs], [%[x], #20]\n\t" \
                "1:\n\t" \
                TINYCC_DW_SM_BODY##K(ODD, STEP) \
                "ldr %[W], [%[x], #52]\n\t" "ldr %[F], [%[x], #56]\n\t" "ldr %[T], [%[x], #60]\n\t" \
                "ldr %[U], [%[x], #64]\n\t" TINYCC_DW_SM_ST##K##_##ODD \
                "cmp %[p], %[U]\n\t" "bne 1b\n\t" \
                "add %[x], %[x], #72\n\t" "ldr %[W], [%[x], #-4]\n\t" "cmp %[x], %[W]\n\t" "bne 0b" \
                : [a0] "=&r"(a0_), [a1] "=&r"(a1_), [a2] "=&r"(a2_), [a3] "=&r"(a3_), [a4] "=&r"(a4_), \
                  [a5] "=&r"(a5_), [W] "=&r"(W_), [F] "=&r"(F_), [T] "=&r"(T_), [U] "=&r"(U_), [cs] "=&r"(cs_), \
                  [o] "=&r"(o_), [p] "=&r"(p_), [x] "+&r"(x_) \
                : : "memory", "cc"); \
    } while (0)
/* the row loop of kind K, odd width ODD, stride SH down (rows STEP bytes apart) when the node's and compiled
 * in (the emitter's TINYCC_DW_SM_ROWL: bit 1 << (ODD + 2 (SH - 1) + 4 K)), else what follows */
#define TINYCC_DW_SM_RUNR(K, ODD, SH, STEP) \
    if ((TINYCC_DW_SM_ROWL & (1 << ((ODD) + 2 * ((SH) - 1) + 4 * (K)))) && kind == (K) && odd == (ODD) && \
        sh == (SH)) \
        TINYCC_DW_SM_ASMR(K, ODD, STEP); \
    else
#define TINYCC_DW_SM_RUNRS(K, RB, RB2) TINYCC_DW_SM_RUNR(K, 0, 1, RB) TINYCC_DW_SM_RUNR(K, 1, 1, RB) \
    TINYCC_DW_SM_RUNR(K, 0, 2, RB2) TINYCC_DW_SM_RUNR(K, 1, 2, RB2)
/* the loop of stride SW, requantisation Z (0: z0), odd width ODD and plane rows of RB bytes when COND
 * and compiled in (the emitter's TINYCC_DW_SM_SW, _RQ, _ODD and _RBS), else what follows */
#define TINYCC_DW_SM_RUN(SW, Z, ODD, RB, COND) \
    if ((TINYCC_DW_SM_SW & (SW)) && (TINYCC_DW_SM_RQ & ((Z) ? (Z) : 4)) && (TINYCC_DW_SM_ODD & ((ODD) + 1)) && \
        (TINYCC_DW_SM_RBS & ((RB) / 16)) && sw == (SW) && odd == (ODD) && rb == (RB) && (COND)) \
        TINYCC_DW_SM_ASM(SW, Z, ODD, RB); \
    else
#define TINYCC_DW_SM_RUNS(SW, ODD, RB) \
    TINYCC_DW_SM_RUN(SW, 0, ODD, RB, z0) TINYCC_DW_SM_RUN(SW, 1, ODD, RB, rq == 1) \
    TINYCC_DW_SM_RUN(SW, 2, ODD, RB, rq == 2)

/* the widening's single column: a pixel's four channels to halfwords of the four planes */
#define TINYCC_DW_SM_WIDEN1 \
    "ldr %[v0], [%[s]]\n\t" "add %[s], %[s], %[ci]\n\t" "sxtb16 %[e0], %[v0]\n\t" "sxtb16 %[v0], %[v0], ror #8\n\t" \
    "strh %[e0], [%[d0]], #2\n\t" "strh %[v0], [%[d1]], #2\n\t" "asr %[e0], %[e0], #16\n\t" \
    "asr %[v0], %[v0], #16\n\t" "strh %[e0], [%[d2]], #2\n\t" "strh %[v0], [%[d3]], #2\n\t"
#define TINYCC_DW_SM_EDGE0 ""
#define TINYCC_DW_SM_EDGE1 TINYCC_DW_SM_WIDEN1
/* the image's rows widened (context t: 0 the column pairs, 1 the bytes from a row's end to the next
 * row's first column in the planes (k), 2 the rows (r)): an odd first column alone when FIRST (pad_l
 * odd: the planes' words hold columns 2k, 2k + 1), the column pairs (tpair's loop: at least one, the
 * emitter's _tsmall_bytes), an odd last one when LAST */
#define TINYCC_DW_SM_WIDEN(FIRST, LAST) \
    __asm__ volatile("sub sp, sp, #8\n\t" \
            "ldr %[n], [%[t]]\n\t" "str %[n], [sp]\n\t" "ldr %[k], [%[t], #4]\n\t" "ldr %[r], [%[t], #8]\n\t" \
            "1:\n\t" \
            TINYCC_DW_SM_EDGE##FIRST "ldr %[n], [sp]\n\t" \
            "3:\n\t" \
            "ldr %[v0], [%[s]]\n\t" "ldr %[v1], [%[s], %[ci]]\n\t" "add %[s], %[s], %[ci], lsl #1\n\t" \
            "sxtb16 %[e0], %[v0]\n\t" "sxtb16 %[e1], %[v1]\n\t" \
            "sxtb16 %[v0], %[v0], ror #8\n\t" "sxtb16 %[v1], %[v1], ror #8\n\t" \
            "pkhbt %[t], %[e0], %[e1], lsl #16\n\t" "str %[t], [%[d0]], #4\n\t" \
            "pkhtb %[t], %[e1], %[e0], asr #16\n\t" "str %[t], [%[d2]], #4\n\t" \
            "pkhbt %[t], %[v0], %[v1], lsl #16\n\t" "str %[t], [%[d1]], #4\n\t" \
            "pkhtb %[t], %[v1], %[v0], asr #16\n\t" "str %[t], [%[d3]], #4\n\t" \
            "subs %[n], %[n], #1\n\t" "bne 3b\n\t" \
            TINYCC_DW_SM_EDGE##LAST \
            "add %[d0], %[d0], %[k]\n\t" "add %[d1], %[d1], %[k]\n\t" "add %[d2], %[d2], %[k]\n\t" \
            "add %[d3], %[d3], %[k]\n\t" "subs %[r], %[r], #1\n\t" "bne 1b\n\t" \
            "add sp, sp, #8" \
            : [s] "+&r"(src), [d0] "+&r"(d0), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3), [n] "=&r"(n), \
              [v0] "=&r"(v0), [v1] "=&r"(v1), [e0] "=&r"(e0), [e1] "=&r"(e1), [t] "+&r"(t), [k] "=&r"(k), \
              [r] "=&r"(r) \
            : [ci] "r"(co) : "memory", "cc")
/* the widening of edge columns FIRST, LAST when they are the node's and compiled in (the emitter's
 * TINYCC_DW_SM_EDGES: bit 1 << (FIRST + 2 LAST)), else what follows */
#define TINYCC_DW_SM_WIDENS(FIRST, LAST) \
    if ((TINYCC_DW_SM_EDGES & (1 << ((FIRST) + 2 * (LAST)))) && first == (FIRST) && last == (LAST)) \
        TINYCC_DW_SM_WIDEN(FIRST, LAST); \
    else


/* the four channels' filter row KY as (w0, w1), (w1, w2) (z0: doubled, |2 w| <= 256) to their contexts'
 * words AT, AT + 1: channels 0 and 2 the low and high halves of the even bytes, 1 and 3 of the odd */
#define TINYCC_DW_SM_FROW(KY, AT) { \
        const int8_t *const f = fg + 12 * (KY); \
        const int32_t v0 = tinycc_ld4(f), v1 = tinycc_ld4(f + 4), v2 = tinycc_ld4(f + 8); \
        uint32_t e0 = (uint32_t)__sxtb16(v0), e1 = (uint32_t)__sxtb16(v1), e2 = (uint32_t)__sxtb16(v2); \
        uint32_t o0 = (uint32_t)tinycc_dw_sxtb16_odd(v0), o1 = (uint32_t)tinycc_dw_sxtb16_odd(v1); \
        uint32_t o2 = (uint32_t)tinycc_dw_sxtb16_odd(v2); \
        if (z0) { \
            e0 = __sadd16(e0, e0), e1 = __sadd16(e1, e1), e2 = __sadd16(e2, e2); \
            o0 = __sadd16(o0, o0), o1 = __sadd16(o1, o1), o2 = __sadd16(o2, o2); \
        } \
        rec[0][AT] = (int32_t)tinycc_pk_lo(e0, e1), rec[0][(AT) + 1] = (int32_t)tinycc_pk_lo(e1, e2); \
        rec[1][AT] = (int32_t)tinycc_pk_lo(o0, o1), rec[1][(AT) + 1] = (int32_t)tinycc_pk_lo(o1, o2); \
        rec[2][AT] = (int32_t)tinycc_pk_hi(e0, e1), rec[2][(AT) + 1] = (int32_t)tinycc_pk_hi(e1, e2); \
        rec[3][AT] = (int32_t)tinycc_pk_hi(o0, o1), rec[3][(AT) + 1] = (int32_t)tinycc_pk_hi(o1, o2); \
    }

/* plane rows: the windows' (oh - 1) * sh + 3 */
static inline int tinycc_dw_sm_rows(const tinycc_dw_shape *s) {
    return (s->oh - 1) * s->sh + 3;
}

/* bytes a plane row: 16 where a row's pairs ((ow + 1) / 2, 4 sw bytes each) take at most 12 and its
 * input columns and left padding at most 8 columns, else 32 (the emitter's _tsmall_rb) */
static inline int tinycc_dw_sm_rb(const tinycc_dw_shape *s) {
    return 4 * s->sw * ((s->ow + 1) / 2) <= 12 && s->w + s->pad_l <= 8 ? 16 : 32;
}

/* images' outputs (out may be in: in place) through four planes at `planes` (32-byte aligned,
 * 4 rb (rows + 1) bytes) */
static __attribute__((noinline, unused)) void tinycc_dw_s8_tsmall(const tinycc_dw_shape *s, const int8_t *in,
                                                                   const int8_t *fpk, const int32_t *pk0, int8_t *out,
                                                                   int32_t *planes, int32_t in_zp, int32_t out_zp) {
    const int co = s->co, h = s->h, w = s->w, sh = s->sh, sw = s->sw, oh = s->oh, ow = s->ow;
    const int pad_t = s->pad_t, pad_l = s->pad_l, rq = s->rq, odd = ow & 1, span = 4 * sw * ((ow + 1) / 2);
    const int rows = tinycc_dw_sm_rows(s), rb = tinycc_dw_sm_rb(s), ps = (rows + 1) * rb / 2;   /* int16 a plane */
    const int y1 = h + pad_t < rows ? h + pad_t : rows;   /* plane rows holding input */
    const int32_t zpw = __sxtb16((int32_t)(((uint32_t)in_zp & 0xffu) * 0x01010101u));
    int16_t *const pl = (int16_t *)planes + (rb - span) / 2;   /* column 0 of row 0 of plane 0 */
    const int first = pad_l & 1, last = (w - first) & 1;   /* odd edge columns: widened alone */
    /* the row loop's kind (mode z0): 3 pairs at stride 1, 16-byte rows (0); 3, 2, 32 (1); 2, 1, 16 (2); 2, 2, 32 (3) */
    int kind = sw == 1 && rb == 16 ? (span == 12 ? 0 : span == 8 ? 2 : -1)
                   : sw == 2 && rb == 32 ? (span == 24 ? 1 : span == 16 ? 3 : -1) : -1;
    int32_t rec[4][18], cv[3];   /* the channels' contexts (TINYCC_DW_SM_ASM's x[]); the widening's */
    int z0 = out_zp == -128, b, g, c, j;
    unsigned far = 0;   /* a folded bias past 2^29 (outside -2^29 + 1 .. 2^29 - 1), a group's four at a time */
    for (c = 0; z0 && c < co; c += 4) {   /* mode z0 (rq 1 or 2): every |folded bias| < 2^29 */
        const int32_t *const kb = pk0 + 3 * c;
        for (j = 0; j < 4; ++j) far |= (uint32_t)kb[j] + 0x1fffffffu >= 0x3fffffffu;
    }
    if (far) z0 = 0;
    if (!z0) kind = -1;   /* the row loops: mode z0 only */
    for (j = 0; j < 2 * ps; j += 4) {   /* four planes (2 ps words, 16 a multiple): the borders stay the zero point */
        planes[j] = zpw, planes[j + 1] = zpw, planes[j + 2] = zpw, planes[j + 3] = zpw;
    }
    for (j = 0; j < 4; ++j) {
        rec[j][0] = (int32_t)(intptr_t)(pl + j * ps);
        rec[j][5] = co;
        rec[j][6] = rb * (sh - 1) + rb - span;
        rec[j][7] = oh;
        rec[j][8] = out_zp;
        rec[j][16] = rec[j][0] + oh * sh * rb;   /* the row loops' end of rows, of records */
        rec[j][17] = (int32_t)(intptr_t)rec[4];
    }
    /* the widening's context (TINYCC_DW_SM_WIDEN's): column pairs, bytes to the next row, rows */
    cv[0] = (w - first) >> 1;
    cv[1] = rb - 2 * w;
    cv[2] = y1 - pad_t;
    for (b = 0; b < s->n; ++b)
    for (g = 0; g < co; g += 4) {
        const int8_t *const fg = fpk + 9 * g;
        const int32_t *const kc = pk0 + 3 * g;
        if (cv[2] > 0) {   /* widened: the image's rows, a pixel's four channels to the four planes */
            const int8_t *src = in + (long)b * h * w * co + g;
            int16_t *d0 = pl + pad_t * rb / 2 + pad_l, *d1 = d0 + ps, *d2 = d1 + ps, *d3 = d2 + ps;
            int32_t n, v0, v1, e0, e1, k, r, *t = cv;
            TINYCC_DW_SM_WIDENS(0, 0) TINYCC_DW_SM_WIDENS(1, 0) TINYCC_DW_SM_WIDENS(0, 1) TINYCC_DW_SM_WIDENS(1, 1) {}
        }
        TINYCC_DW_SM_FROW(0, 9) TINYCC_DW_SM_FROW(1, 11) TINYCC_DW_SM_FROW(2, 2)
        for (j = 0; j < 4; ++j) {   /* the channels' records */
            int32_t *const x = rec[j];
            const int32_t rqw = kc[5 + 2 * j], r = (rqw & 255) + 1;
            x[1] = (int32_t)(intptr_t)(out + (long)b * oh * ow * co + g + j);
            x[4] = z0 ? 2 * kc[j] : kc[j];
            x[13] = kc[4 + 2 * j];
            x[14] = z0 ? (int32_t)((1u << (r - 1)) - (128u << r)) : rqw;
            x[15] = r;
        }
        TINYCC_DW_SM_RUNRS(0, "16", "32") TINYCC_DW_SM_RUNRS(1, "32", "64") TINYCC_DW_SM_RUNRS(2, "16", "32")
        TINYCC_DW_SM_RUNRS(3, "32", "64")
        for (j = 0; j < 4; ++j) {   /* the channels: the assembly's pairs */
            int32_t *const x = rec[j];
            TINYCC_DW_SM_RUNS(1, 0, 16) TINYCC_DW_SM_RUNS(1, 1, 16) TINYCC_DW_SM_RUNS(2, 0, 16)
            TINYCC_DW_SM_RUNS(2, 1, 16) TINYCC_DW_SM_RUNS(1, 0, 32) TINYCC_DW_SM_RUNS(1, 1, 32)
            TINYCC_DW_SM_RUNS(2, 0, 32) TINYCC_DW_SM_RUNS(2, 1, 32) {}
        }
    }
}
#undef TINYCC_DW_SM_X
#undef TINYCC_DW_SM_R1
#undef TINYCC_DW_SM_R1P
#undef TINYCC_DW_SM_R2P
#undef TINYCC_DW_SM_F1
#undef TINYCC_DW_SM_R2
#undef TINYCC_DW_SM_F2
#undef TINYCC_DW_SM_ROWS1_16
#undef TINYCC_DW_SM_ROWS2_16
#undef TINYCC_DW_SM_ROWS1_32
#undef TINYCC_DW_SM_ROWS2_32
#undef TINYCC_DW_SM_MASK16
#undef TINYCC_DW_SM_MASK32
#undef TINYCC_DW_SM_Q0
#undef TINYCC_DW_SM_Q12
#undef TINYCC_DW_SM_REQ0
#undef TINYCC_DW_SM_REQ1
#undef TINYCC_DW_SM_REQ2
#undef TINYCC_DW_SM_TAIL0
#undef TINYCC_DW_SM_TAIL1
#undef TINYCC_DW_SM_ASM
#undef TINYCC_DW_SM_RUN
#undef TINYCC_DW_SM_RUNS
#undef TINYCC_DW_SM_FROW
#undef TINYCC_DW_SM_K0
#undef TINYCC_DW_SM_K1
#undef TINYCC_DW_SM_K2
#undef TINYCC_DW_SM_K3
#undef TINYCC_DW_SM_KR
#undef TINYCC_DW_SM_L1
#undef TINYCC_DW_SM_FA
#undef TINYCC_DW_SM_FB
#undef TINYCC_DW_SM_LD
#undef TINYCC_DW_SM_M
#undef TINYCC_DW_SM_N
#undef TINYCC_DW_SM_P2
#undef TINYCC_DW_SM_O0
#undef TINYCC_DW_SM_O1
#undef TINYCC_DW_SM_BODY0
#undef TINYCC_DW_SM_BODY1
#undef TINYCC_DW_SM_BODY2
#undef TINYCC_DW_SM_BODY3
#undef TINYCC_DW_SM_RQ0
#undef TINYCC_DW_SM_PAIR
#undef TINYCC_DW_SM_LAST
#undef TINYCC_DW_SM_ST0_0
#undef TINYCC_DW_SM_ST0_1
#undef TINYCC_DW_SM_ST1_0
#undef TINYCC_DW_SM_ST1_1
#undef TINYCC_DW_SM_ST2_0
#undef TINYCC_DW_SM_ST2_1
#undef TINYCC_DW_SM_ST3_0
#undef TINYCC_DW_SM_ST3_1
#undef TINYCC_DW_SM_ASMR
#undef TINYCC_DW_SM_RUNR
#undef TINYCC_DW_SM_RUNRS
#undef TINYCC_DW_SM_WIDEN1
#undef TINYCC_DW_SM_EDGE0
#undef TINYCC_DW_SM_EDGE1
#undef TINYCC_DW_SM_WIDEN
#undef TINYCC_DW_SM_WIDENS
/* sm: the planes (the emitter's _tsmall_bytes and 32 to align them): arena bytes free while the node runs,
 * or NULL: then the wrapper's frame holds them (TINYCC_DW_SM_STACK, the most such a node needs). Either
 * way the frame has room standing for the assembly's own frame below sp, which GCC's -fstack-usage
 * cannot see (an empty asm takes its address, so it stays). */
#if TINYCC_DW_SM_STACK
#define TINYCC_DW_SM_ROOM \
    int32_t own[(TINYCC_DW_SM_STACK + 32 + TINYCC_DW_SM_FRAME) / 4]; \
    if (!sm) sm = own
#else
#define TINYCC_DW_SM_ROOM int32_t room[TINYCC_DW_SM_FRAME / 4]; __asm__ volatile("" : : "r"(room) : "memory")
#endif
/* on a DSP core the emitter's nodes (_tsmall_bytes: the shapes, modes and loops compiled in) */
#define TINYCC_DW_SM_RUN_KERNEL(IN, OUT) \
    TINYCC_DW_SM_ROOM; \
    (void)bias, (void)mult, (void)shift, (void)act_min, (void)act_max; \
    tinycc_dw_s8_tsmall(s, IN, filter, kbias, OUT, (int32_t *)(((uintptr_t)sm + 31) & ~(uintptr_t)31), in_zp, out_zp)
#endif

/* tinycc_depthwise_conv_2d_s8_fast's arguments and sm (above) */
static __attribute__((noinline, unused)) void
tinycc_depthwise_conv_2d_s8_tsmall(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter,
                                   const int32_t *bias, const int32_t *kbias, int8_t *out, int32_t in_zp,
                                   int32_t out_zp, const int32_t *mult, const int32_t *shift, int32_t act_min,
                                   int32_t act_max, int32_t *sm) {
#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
    TINYCC_DW_SM_RUN_KERNEL(in, out);
#else
    (void)sm;
    tinycc_depthwise_conv_2d_s8_fast(s, in, filter, bias, kbias, out, in_zp, out_zp, mult, shift, act_min, act_max);
#endif
}

/* in place (batch 1): a group's planes are widened before its channels' outputs overwrite them */
static __attribute__((noinline, unused)) void
tinycc_depthwise_conv_2d_s8_tsmall_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r, int8_t *buf,
                                           const int8_t *filter, const int32_t *bias, const int32_t *kbias,
                                           int8_t *ring, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                           const int32_t *shift, int32_t act_min, int32_t act_max, int32_t *sm) {
#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
    (void)r, (void)ring;
    TINYCC_DW_SM_RUN_KERNEL(buf, buf);
#else
    (void)sm;
    tinycc_depthwise_conv_2d_s8_fast_inplace(s, r, buf, filter, bias, kbias, ring, in_zp, out_zp, mult, shift, act_min,
                                             act_max);
#endif
}

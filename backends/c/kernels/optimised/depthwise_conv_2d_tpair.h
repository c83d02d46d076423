/* Depthwise 3x3 with SMLAD pairing TAPS, not channels (tinycc_depthwise_conv_2d_s8_tpair; DSP core, packed
 * filter with rq 1 or 2, co a multiple of 4, stride 1 across; the emitter's DW_TP_MIN_OW; else
 * tinycc_depthwise_conv_2d_s8_fast). Depthwise has no sum across channels for SMLAD's dual multiply;
 * along a row it has: input rows are widened once into a ring of three padded rows laid out
 * channel-planar as int16 (channel c, column pair k, slot s: word (c * kp + k) * 3 + s holds columns 2k
 * and 2k + 1 of the row in slot s; columns outside the input and rows outside it the input zero point,
 * which the folded bias cancels), and each channel's filter rows are held as pairs fa = (w0, w1),
 * fb = (w1, w2). Two outputs of one channel and one filter row then take two words A = (x0, x1),
 * B = (x2, x3) and four multiplies:
 *   out0 += SMLAD(A, fa) + SMLABT(B, fb)      (x0 w0 + x1 w1 + x2 w2)
 *   out1 += SMLATB(A, fa) + SMLAD(B, fb)      (x1 w0 + x2 w1 + x3 w2)
 * (the assembly takes four outputs a pass: 3 words, 8 multiplies). Row iy sits in slot iy mod 3 (tag[]
 * says which row a slot holds), so the window's rows are in rotated order: the filter row a slot
 * multiplies is picked per output row, the words' offsets stay fixed. A channel's multiplier and
 * requantisation word (tinycc_dw_kp's packing) stay in registers across its row. Measured on VWW's
 * 12 to 48 wide rows: 2.1-2.3 est. cycles a MAC in the loop (20 an output), against 4.5-4.9 of four
 * channels' taps (depthwise_conv_2d_wrow_dsp.h, depthwise_conv_2d_fast.h's ring). */
#ifndef TINYCC_DW_TP_STACK
#define TINYCC_DW_TP_STACK 0      /* the emitter's: the most ring and record bytes a node without room in the arena needs */
#endif
#ifndef TINYCC_DW_TP_RQ
#define TINYCC_DW_TP_RQ 7         /* the emitter's: the nodes' loops (bit 1: rq 1, bit 2: rq 2, bit 4: z0 below) */
#endif
#ifndef TINYCC_DW_TP_SW
#define TINYCC_DW_TP_SW 3         /* the emitter's: the nodes' strides across (bit 1: 1, bit 2: 2) */
#endif
#ifndef TINYCC_DW_TP_CLOOP
#define TINYCC_DW_TP_CLOOP 1      /* 0 (the emitter's): no node clips or has an odd output width: no C loop */
#endif
#ifndef TINYCC_DW_TP_LEFT
#define TINYCC_DW_TP_LEFT 1       /* 0 (the emitter's): no node has an odd count of output pairs */
#endif
#ifndef TINYCC_DW_TP_CLIP
#define TINYCC_DW_TP_CLIP 1       /* 0 (the emitter's): no node clips its activations */
#endif

/* column pairs of the ring's rows: those the output pairs read (stride 1, pair k: words k, k + 1;
 * stride 2, outputs 2k, 2k + 1: words 2k, 2k + 1, 2k + 2), the odd last output's as a pair's; they
 * cover the (ow - 1) * sw + 3 window columns */
static inline int tinycc_dw_tp_kp(int ow, int sw) {
    return (sw == 1 ? ow / 2 + 1 : ow + 1) + (ow & 1);
}

#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
/* A channel's record in the table the kernel builds once a layer (TINYCC_DW_TP_REC words): its filter
 * rows' pairs fa, fb (rows 0, 1, 2), multiplier M, requantisation word, folded bias, shift r. Mode z0
 * (rq 1 with out_zp -128, no clipping, every |folded bias| < 2^29: ReLU's usual output) doubles the
 * filter and the bias (the accumulator 2 acc, within int32) and keeps Ra = 2^(r-1) - 128 * 2^r for
 * the word: TFLM's requantisation of acc >= 0, floor((floor((acc M + 2^30) / 2^31) + 2^(r-1)) / 2^r)
 * - 128, is then SMMLAR(2 acc, M, Ra) >> r (SMMLAR: floor((Ra 2^32 + 2 acc M + 2^31) / 2^32); floors
 * of floors), and of acc < 0 at most -128 as TFLM's (2 acc M <= 0 as M >= 0): 3 instructions an
 * output for 7. */
#define TINYCC_DW_TP_REC 10
/* the C loop (clipping activations; the odd last output): one output pair of a channel from slot S's
 * words at xp times the filter row it holds (fa##S, fb##S) */
#define TINYCC_DW_TP_S1(S) do { \
        const int32_t A_ = xp[S], B_ = xp[3 + S]; \
        a0 = __smlad(A_, fa##S, a0); a0 = __smlabt(B_, fb##S, a0); \
        a1 = __smlatb(A_, fa##S, a1); a1 = __smlad(B_, fb##S, a1); \
    } while (0)
#define TINYCC_DW_TP_S2(S) do { \
        const int32_t A_ = xp[S], B_ = xp[3 + S], C_ = xp[6 + S]; \
        a0 = __smlad(A_, fa##S, a0); a0 = __smlabt(B_, fb##S, a0); \
        a1 = __smlad(B_, fa##S, a1); a1 = __smlabt(C_, fb##S, a1); \
    } while (0)
/* requantised, clipped and stored: accumulator A to byte O */
#define TINYCC_DW_TP_OUT(A, O) do { \
        int32_t v_ = z0 ? (int32_t)(((int64_t)(A) * fc[6] + 0x80000000LL + (int64_t)fc[7] * 4294967296LL) >> 32) \
                              >> fc[9] \
                   : rq == 1 ? tinycc_dw_rq(A, fc[6], fc[7], 0x40000000) \
                             : tinycc_dw_rq2(A, fc[6], fc[7], 0x40000000, out_zp); \
        *(O) = (int8_t)tinycc_clamp(v_, act_min, act_max); \
    } while (0)
/* channel c's outputs from pair k0 on (np pairs in all), then the odd last one */
#define TINYCC_DW_TP_C(SW) do { \
        for (c = 0; c < co; ++c) { \
            const int32_t *const fc = fwt + TINYCC_DW_TP_REC * c, *xp = xb + ((long)c * kp + (SW) * k0) * 3; \
            const int32_t fa0 = fc[ko[0]], fb0 = fc[ko[0] + 1], fa1 = fc[ko[1]], fb1 = fc[ko[1] + 1]; \
            const int32_t fa2 = fc[ko[2]], fb2 = fc[ko[2] + 1]; \
            int8_t *o = row + (long)2 * k0 * co + c; \
            int k; \
            for (k = k0; k < np; ++k, xp += 3 * (SW), o += 2 * co) { \
                int32_t a0 = fc[8], a1 = fc[8]; \
                TINYCC_DW_TP_S##SW(0); TINYCC_DW_TP_S##SW(1); TINYCC_DW_TP_S##SW(2); \
                TINYCC_DW_TP_OUT(a0, o); \
                TINYCC_DW_TP_OUT(a1, o + co); \
            } \
            if (odd) { \
                int32_t a0 = fc[8], a1 = fc[8]; \
                TINYCC_DW_TP_S##SW(0); TINYCC_DW_TP_S##SW(1); TINYCC_DW_TP_S##SW(2); \
                (void)a1; \
                TINYCC_DW_TP_OUT(a0, o); \
            } \
        } \
    } while (0)
/* the rows' channels and their output quads without clipping: one block of assembly (14 registers:
 * the accumulators, a filter row's two pairs, three words, the word and output pointers, multiplier,
 * requantisation word, shift r (mode z0's)). A quad and one filter row: words W0 = (x0, x1), W1 = (x2, x3),
 * W2 = (x4, x5) and 8 multiplies for 12 MACs (the first row's accumulate the folded bias):
 *   out0 += SMLAD(W0, fa) + SMLABT(W1, fb)     out1 += SMLATB(W0, fa) + SMLAD(W1, fb)
 *   out2 += SMLAD(W1, fa) + SMLABT(W2, fb)     out3 += SMLATB(W1, fa) + SMLAD(W2, fb)
 * Its context x[]: the records, the ring and the output row less the steps dp, dq below, the records'
 * byte offsets of the filter rows slots 0, 1, 2 hold, co, dp (from a channel's last quad's end to the
 * next channel's words), the whole quads' bytes (24 a quad), out_zp, whether a pair is left (then one
 * more quad, over the last four outputs: two again), dq (the same of the output), the last channel's
 * end. The rest waits in a frame it pushes itself below sp (GCC has no register left to address a
 * local): [sp] the channel's filter pairs in slot order (six words), +24 co, +28 the channel's end,
 * +32 out_zp, +36 the channel's folded bias, +40 the last channel's end, +44 the next record, +48 dp,
 * +52 dq, +56 x[10] (-1 while a channel's pair left runs), +60 x[3..5], +72 x[8].
 * The requantisation is tinycc_dw_rq's (2^30 an immediate; Z 2: out_zp added after the shift; Z 0:
 * mode z0's) with W0, W1 as temporaries. */
#define TINYCC_DW_TP_SLOT(FO, OFF, C0, C1, C2, C3) \
    "ldr %[fa], [sp, #" FO "]\n\t" "ldr %[fb], [sp, #" FO "+4]\n\t" "ldr %[W0], [%[p], #" OFF "]\n\t" \
    "ldr %[W1], [%[p], #" OFF "+12]\n\t" "ldr %[W2], [%[p], #" OFF "+24]\n\t" \
    "smlatb %[a1], %[W0], %[fa], %[" C1 "]\n\t" "smlad %[a2], %[W1], %[fa], %[" C2 "]\n\t" \
    "smlatb %[a3], %[W1], %[fa], %[" C3 "]\n\t" "smlad %[a0], %[W0], %[fa], %[" C0 "]\n\t" \
    "smlabt %[a0], %[W1], %[fb], %[a0]\n\t" "smlad %[a1], %[W1], %[fb], %[a1]\n\t" \
    "smlabt %[a2], %[W2], %[fb], %[a2]\n\t" "smlad %[a3], %[W2], %[fb], %[a3]\n\t"
#define TINYCC_DW_TP_LDZP0 ""
#define TINYCC_DW_TP_LDZP1 ""
#define TINYCC_DW_TP_LDZP2 "ldr %[fa], [sp, #32]\n\t"
/* stride 2: words W0..W4 (output j's window starts at word j), W3 and W4 loaded into W0, W1 after the
 * first three's last use; the first row's accumulate the folded bias from a0 (out0) and a3 (the others) */
#define TINYCC_DW_TP_SLOT2(FO, OFF, C0, C1, C2, C3) \
    "ldr %[fa], [sp, #" FO "]\n\t" "ldr %[fb], [sp, #" FO "+4]\n\t" "ldr %[W0], [%[p], #" OFF "]\n\t" \
    "ldr %[W1], [%[p], #" OFF "+12]\n\t" "ldr %[W2], [%[p], #" OFF "+24]\n\t" \
    "smlad %[a0], %[W0], %[fa], %[" C0 "]\n\t" "smlabt %[a0], %[W1], %[fb], %[a0]\n\t" \
    "smlad %[a1], %[W1], %[fa], %[" C1 "]\n\t" "smlabt %[a1], %[W2], %[fb], %[a1]\n\t" \
    "smlad %[a2], %[W2], %[fa], %[" C2 "]\n\t" "ldr %[W0], [%[p], #" OFF "+36]\n\t" \
    "ldr %[W1], [%[p], #" OFF "+48]\n\t" "smlabt %[a2], %[W0], %[fb], %[a2]\n\t" \
    "smlad %[a3], %[W0], %[fa], %[" C3 "]\n\t" "smlabt %[a3], %[W1], %[fb], %[a3]\n\t"
/* the first filter row (slot 0) of a quad: its accumulators start at the folded bias, which a0 holds */
#define TINYCC_DW_TP_FIRST1 TINYCC_DW_TP_SLOT("0", "0", "a0", "a0", "a0", "a0")
#define TINYCC_DW_TP_FIRST2 "ldr %[a3], [sp, #36]\n\t" TINYCC_DW_TP_SLOT2("0", "0", "a0", "a3", "a3", "a3")
#define TINYCC_DW_TP_SLOTS1(FO, OFF, C0, C1, C2, C3) TINYCC_DW_TP_SLOT(FO, OFF, C0, C1, C2, C3)
#define TINYCC_DW_TP_SLOTS2(FO, OFF, C0, C1, C2, C3) TINYCC_DW_TP_SLOT2(FO, OFF, C0, C1, C2, C3)
#define TINYCC_DW_TP_ZP0(A) ""
#define TINYCC_DW_TP_ZP1(A) ""
#define TINYCC_DW_TP_ZP2(A) "add %[" A "], %[" A "], %[fa]\n\t"
#define TINYCC_DW_TP_REQ0(A, Z) \
    "smmlar %[W0], %[" A "], %[m], %[w]\n\t" "asr %[" A "], %[W0], %[r]\n\t" "ssat %[" A "], #8, %[" A "]\n\t"
#define TINYCC_DW_TP_REQ1(A, Z) TINYCC_DW_TP_REQ12(A, Z)
#define TINYCC_DW_TP_REQ2(A, Z) TINYCC_DW_TP_REQ12(A, Z)
#define TINYCC_DW_TP_REQ12(A, Z) \
    "asr %[W0], %[" A "], #31\n\t" "add %[W1], %[W0], %[w], asr #8\n\t" "lsl %[W0], %[W0], #31\n\t" \
    "orr %[W0], %[W0], #0x40000000\n\t" "smlal %[W0], %[W1], %[" A "], %[m]\n\t" "asr %[" A "], %[W1], %[w]\n\t" \
    TINYCC_DW_TP_ZP##Z(A) "ssat %[" A "], #8, %[" A "]\n\t"
/* x[] word at byte XO to the frame at FO */
#define TINYCC_DW_TP_X(XO, FO) "ldr %[W0], [%[p], #" XO "]\n\t" "str %[W0], [sp, #" FO "]\n\t"
#define TINYCC_DW_TP_FRAME 80   /* bytes of its frame */
#define TINYCC_DW_TP_STR2(V) #V
#define TINYCC_DW_TP_STR(V) TINYCC_DW_TP_STR2(V)
/* one quad: the three filter rows' multiplies, then the four outputs requantised (a0..a3) */
#define TINYCC_DW_TP_QUAD(SW, Z) \
    "ldr %[a0], [sp, #36]\n\t" TINYCC_DW_TP_FIRST##SW \
    TINYCC_DW_TP_SLOTS##SW("8", "4", "a0", "a1", "a2", "a3") \
    TINYCC_DW_TP_SLOTS##SW("16", "8", "a0", "a1", "a2", "a3") \
    "adds %[p], %[p], #24 * " #SW "\n\t" TINYCC_DW_TP_LDZP##Z \
    TINYCC_DW_TP_REQ##Z("a0", Z) TINYCC_DW_TP_REQ##Z("a1", Z) \
    TINYCC_DW_TP_REQ##Z("a2", Z) TINYCC_DW_TP_REQ##Z("a3", Z)
#if TINYCC_DW_TP_LEFT
/* a pair left (flag 1): one more quad over the channel's last four outputs (the pass's second), the
 * flag -1 meanwhile (after it: back to 1, the channel done) */
#define TINYCC_DW_TP_LEFT_TEST "ldr %[fa], [sp, #56]\n\t" "cmp %[fa], #0\n\t" "bne 4f\n\t"
#define TINYCC_DW_TP_LEFT_RUN(SW) \
    "4:\n\t" \
    "bmi 6f\n\t" "mvn %[fa], #0\n\t" "str %[fa], [sp, #56]\n\t" \
    "add %[fa], %[p], #12 * " #SW "\n\t" "str %[fa], [sp, #28]\n\t" \
    "subs %[p], %[p], #12 * " #SW "\n\t" "sub %[o], %[o], %[fb], lsl #1\n\t" "b 8b\n\t" \
    "6:\n\t" "movs %[fa], #1\n\t" "str %[fa], [sp, #56]\n\t" "b 3b\n\t"
#else   /* the emitter's: no node has a pair left (an odd count of output pairs) */
#define TINYCC_DW_TP_LEFT_TEST ""
#define TINYCC_DW_TP_LEFT_RUN(SW) ""
#endif
#define TINYCC_DW_TP_ASM(SW, Z) do { \
        int32_t fa_, fb_, m_, w_, r_, a0, a1, a2, a3, W0_, W1_, W2_, *p_ = x; \
        int8_t *o_; \
        __asm__ volatile("sub sp, sp, #" TINYCC_DW_TP_STR(TINYCC_DW_TP_FRAME) "\n\t" \
                TINYCC_DW_TP_X("24", "24") TINYCC_DW_TP_X("48", "40") \
                TINYCC_DW_TP_X("36", "32") TINYCC_DW_TP_X("0", "44") TINYCC_DW_TP_X("28", "48") \
                TINYCC_DW_TP_X("44", "52") TINYCC_DW_TP_X("12", "60") TINYCC_DW_TP_X("16", "64") \
                TINYCC_DW_TP_X("20", "68") TINYCC_DW_TP_X("32", "72") TINYCC_DW_TP_X("40", "56") \
                "ldr %[o], [%[p], #8]\n\t" "ldr %[p], [%[p], #4]\n\t" \
                "2:\n\t"   /* a channel: its filter rows in slot order to the frame (register-offset loads); \
                            * its words and output from the last channel's ends */ \
                "ldr %[W1], [sp, #44]\n\t" "ldr %[a0], [sp, #60]\n\t" "ldr %[a1], [sp, #64]\n\t" \
                "ldr %[a2], [sp, #68]\n\t" "ldr %[W0], [sp, #48]\n\t" "ldr %[m], [sp, #52]\n\t" \
                "ldr %[W2], [sp, #72]\n\t" "add %[a3], %[W1], #4\n\t" "add %[p], %[p], %[W0]\n\t" \
                "add %[o], %[o], %[m]\n\t" \
                "ldr %[fa], [%[W1], %[a0]]\n\t" "ldr %[fb], [%[a3], %[a0]]\n\t" "ldr %[a0], [%[W1], %[a1]]\n\t" \
                "ldr %[W0], [%[a3], %[a1]]\n\t" "ldr %[a1], [%[W1], %[a2]]\n\t" "ldr %[a2], [%[a3], %[a2]]\n\t" \
                "ldr %[m], [%[W1], #24]\n\t" "ldr %[w], [%[W1], #28]\n\t" "ldr %[r], [%[W1], #36]\n\t" \
                "ldr %[a3], [%[W1], #32]\n\t"   /* ten loads in one run (no LDRD: it does not pipeline) */ \
                "str %[fa], [sp, #0]\n\t" "str %[fb], [sp, #4]\n\t" "str %[a0], [sp, #8]\n\t" \
                "str %[W0], [sp, #12]\n\t" "str %[a1], [sp, #16]\n\t" "str %[a2], [sp, #20]\n\t" \
                "add %[W1], %[W1], #40\n\t" "tst %[W2], #8 * " #SW "\n\t" "add %[W2], %[p], %[W2]\n\t" \
                "str %[a3], [sp, #36]\n\t" "str %[W1], [sp, #44]\n\t" "str %[W2], [sp, #28]\n\t" \
                "bne 8f\n\t"   /* an odd count of quads: the second of the pass first */ \
                "1:\n\t"   /* two quads a pass (the first's stores without the loop's test) */ \
                TINYCC_DW_TP_QUAD(SW, Z) \
                "ldr %[fb], [sp, #24]\n\t" "strb %[a1], [%[o], %[fb]]\n\t" "add %[W0], %[o], %[fb], lsl #1\n\t" \
                "strb %[a0], [%[o]]\n\t" "strb %[a2], [%[W0]]\n\t" "strb %[a3], [%[W0], %[fb]]\n\t" \
                "add %[o], %[W0], %[fb], lsl #1\n\t" \
                "8:\n\t" \
                TINYCC_DW_TP_QUAD(SW, Z) \
                "ldr %[fb], [sp, #24]\n\t" "ldr %[fa], [sp, #28]\n\t" "strb %[a1], [%[o], %[fb]]\n\t" \
                "strb %[a0], [%[o]]\n\t" "add %[o], %[o], %[fb], lsl #1\n\t" "cmp %[p], %[fa]\n\t" \
                "strb %[a2], [%[o]]\n\t" "strb %[a3], [%[o], %[fb]]\n\t" "add %[o], %[o], %[fb], lsl #1\n\t" \
                "bne 1b\n\t" \
                TINYCC_DW_TP_LEFT_TEST \
                "3:\n\t" \
                "ldr %[W0], [sp, #40]\n\t" "cmp %[p], %[W0]\n\t" "bne 2b\n\t"   /* not the last channel's end */ \
                "add sp, sp, #" TINYCC_DW_TP_STR(TINYCC_DW_TP_FRAME) "\n\t" "b 5f\n\t" \
                TINYCC_DW_TP_LEFT_RUN(SW) \
                "5:" \
                : [fa] "=&r"(fa_), [fb] "=&r"(fb_), [m] "=&r"(m_), [w] "=&r"(w_), [r] "=&r"(r_), \
                  [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [W0] "=&r"(W0_), \
                  [W1] "=&r"(W1_), [W2] "=&r"(W2_), [o] "=&r"(o_), [p] "+&r"(p_) \
                : : "memory", "cc"); \
    } while (0)

/* the assembly loop of stride SW and requantisation Z (0: z0) when COND and compiled in (the emitter's
 * TINYCC_DW_TP_SW and TINYCC_DW_TP_RQ: a constant false condition drops the loop), else what follows */
#define TINYCC_DW_TP_RUN(SW, Z, COND) \
    if ((TINYCC_DW_TP_SW & (SW)) && (TINYCC_DW_TP_RQ & ((Z) ? (Z) : 4)) && sw == (SW) && (COND)) \
        TINYCC_DW_TP_ASM(SW, Z); \
    else

#define TINYCC_DW_TP_WPAIR /* a pair of columns of the four channels (four temporaries: t keeps the flags) */ \
    "ldr %[v0], [%[s]]\n\t" "ldr %[v1], [%[s], %[ci]]\n\t" "add %[s], %[s], %[ci], lsl #1\n\t" \
    "pkhbt %[e0], %[v0], %[v1], lsl #16\n\t" "pkhtb %[v1], %[v1], %[v0], asr #16\n\t" \
    "sxtb16 %[e1], %[e0], ror #8\n\t" "sxtb16 %[e0], %[e0]\n\t" \
    "sxtb16 %[v0], %[v1]\n\t" "sxtb16 %[v1], %[v1], ror #8\n\t" \
    "str %[e0], [%[d0]], #12\n\t" "str %[e1], [%[d1]], #12\n\t" \
    "str %[v0], [%[d2]], #12\n\t" "str %[v1], [%[d3]], #12\n\t"
/* One input row widened into the ring (tinycc_dw_s8_tpair's layout) for all gn groups of four channels in
 * one assembly block: src the row's first inside column (cl) of channel 0, d the word of channel 0 that
 * column's pair lands in (its slot). wp: the layer's constants (tinycc_dw_tp_wp): [0] the bytes from
 * a group's last word to the next group's first, [1] the same of the input, [2] the passes of four of
 * the n whole column pairs, [3] bit 1: an odd first column (its word's high halves), bit 2: an odd last
 * one (the low halves), bit 4: n odd (one pair alone, then four a pass), bit 8: n / 2 odd (the first
 * pass from its second half). A pair of columns and four channels: two loads, two PKH (the columns'
 * channels 0, 1 and 2, 3 bytes side by side), four SXTB16 (a channel's two columns each), four stores
 * (15 est. cycles with the loop's share). */
static inline void tinycc_dw_tp_widen(const int8_t *src, int32_t *d, const int32_t *wp, int gn, int ci) {
    const int cs = wp[4];   /* words a channel */
    int32_t *d1 = d + cs, *d2 = d1 + cs, *d3 = d2 + cs, n, v0, v1, e0, e1, t;
    __asm__ volatile("ldr %[t], [%[wp], #12]\n\t"
            "0:\n\t"
            "tst %[t], #1\n\t" "beq 4f\n\t"
            "ldr %[v0], [%[s]]\n\t" "add %[s], %[s], %[ci]\n\t"
            "sxtb16 %[e0], %[v0]\n\t" "sxtb16 %[e1], %[v0], ror #8\n\t"
            "strh %[e0], [%[d0], #2]\n\t" "strh %[e1], [%[d1], #2]\n\t"
            "lsr %[e0], %[e0], #16\n\t" "lsr %[e1], %[e1], #16\n\t"
            "strh %[e0], [%[d2], #2]\n\t" "strh %[e1], [%[d3], #2]\n\t"
            "adds %[d0], %[d0], #12\n\t" "adds %[d1], %[d1], #12\n\t" "adds %[d2], %[d2], #12\n\t"
            "adds %[d3], %[d3], #12\n\t"
            "4:\n\t"
            "tst %[t], #4\n\t" "beq 7f\n\t"   /* an odd count of pairs: one alone */
            TINYCC_DW_TP_WPAIR
            "7:\n\t"
            "ldr %[n], [%[wp], #8]\n\t" "cmp %[n], #0\n\t" "beq 5f\n\t"
            "tst %[t], #8\n\t" "bne 8f\n\t"
            "1:\n\t"   /* four pairs a pass */
            TINYCC_DW_TP_WPAIR TINYCC_DW_TP_WPAIR
            "8:\n\t"
            TINYCC_DW_TP_WPAIR TINYCC_DW_TP_WPAIR
            "subs %[n], %[n], #1\n\t" "bne 1b\n\t"
            "5:\n\t"
            "tst %[t], #2\n\t" "beq 6f\n\t"
            "ldr %[v0], [%[s]]\n\t"
            "sxtb16 %[e0], %[v0]\n\t" "sxtb16 %[e1], %[v0], ror #8\n\t"
            "strh %[e0], [%[d0]]\n\t" "strh %[e1], [%[d1]]\n\t"
            "lsr %[e0], %[e0], #16\n\t" "lsr %[e1], %[e1], #16\n\t"
            "strh %[e0], [%[d2]]\n\t" "strh %[e1], [%[d3]]\n\t"
            "6:\n\t"
            "ldrd %[e0], %[e1], [%[wp]]\n\t"
            "add %[d0], %[d0], %[e0]\n\t" "add %[d1], %[d1], %[e0]\n\t" "add %[d2], %[d2], %[e0]\n\t"
            "add %[d3], %[d3], %[e0]\n\t" "add %[s], %[s], %[e1]\n\t"
            "subs %[g], %[g], #1\n\t" "bne 0b"
            : [s] "+&r"(src), [d0] "+&r"(d), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3), [g] "+&r"(gn),
              [n] "=&r"(n), [v0] "=&r"(v0), [v1] "=&r"(v1), [e0] "=&r"(e0), [e1] "=&r"(e1), [t] "=&r"(t)
            : [ci] "r"(ci), [wp] "r"(wp) : "memory", "cc");
}
#undef TINYCC_DW_TP_WPAIR

/* tinycc_dw_tp_widen's constants (wp[0..4]) for rows of columns cl to cr - 1 (cl < cr) and cs words a channel */
static inline void tinycc_dw_tp_wp(int32_t *wp, int cl, int cr, int cs, int ci) {
    const int of = cl & 1, n = (cr - cl - of) >> 1, ol = cl + of + 2 * n < cr;
    wp[0] = 16 * cs - 12 * (of + n);
    wp[1] = 4 - ci * (of + 2 * n);
    wp[2] = ((n >> 1) + 1) >> 1;
    wp[3] = of | ol << 1 | (n & 1) << 2 | (n >> 1 & 1) << 3;
    wp[4] = cs;
}

/* the low (lo) or high (hi) halves of x and y as one word of two int16: x's in the low half */
static inline int32_t tinycc_dw_tp_lo(int32_t x, int32_t y) {
    return (int32_t)(((uint32_t)x & 0xffffu) | (uint32_t)y << 16);
}
static inline int32_t tinycc_dw_tp_hi(int32_t x, int32_t y) {
    return (int32_t)(((uint32_t)x >> 16) | ((uint32_t)y & 0xffff0000u));
}

/* In place (r): can every output row go straight over the buffer, without the ring? The kernel reads an
 * input row only to widen it, so an output row may overwrite input rows widened by then (all rows up to
 * its window's last going down, from its window's first going up) or under none still to widen. */
static inline int tinycc_dw_tp_direct(const tinycc_ring_shape *r) {
    const long rbi = r->rbi, rbo = r->rbo;
    int step;
    for (step = 0; step < r->oh; ++step) {
        const long oy = tinycc_ring_row(r, step), lo = oy * r->sh - r->pad_t, hi = lo + (long)(r->kh - 1) * r->dh;
        /* going up: its first byte over an input row before lo; down: its last over one past hi (to widen) */
        if (r->backward ? lo > 0 && oy * rbo < lo * rbi : hi < r->h - 1 && (oy + 1) * rbo > (hi + 1) * rbi) return 0;
    }
    return 1;
}

/* Image b's (in place: r not NULL, out its buffer, rows in the ring's order) output rows; buf:
 * the node's arena scratch (the emitter's _tpair_bytes), the channels' records then the ring (3 * kp words a channel) */
static __attribute__((noinline, unused)) void tinycc_dw_s8_tpair(const tinycc_dw_shape *s, const tinycc_ring_shape *r,
                                                                  const int8_t *in, const int8_t *fpk,
                                                                  const int32_t *pk0, int8_t *out, int8_t *ring,
                                                                  int32_t *buf, int32_t in_zp, int32_t out_zp,
                                                                  int32_t act_min, int32_t act_max) {
    const int co = s->co, w = s->w, sw = s->sw, ow = s->ow, pad_l = s->pad_l, rq = s->rq, ci = s->ci;
    const int kp = tinycc_dw_tp_kp(ow, sw), np = ow / 2, odd = ow & 1;
    const int cl = pad_l < 2 * kp ? pad_l : 2 * kp, cr = w + pad_l < 2 * kp ? w + pad_l : 2 * kp;   /* inside */
    const int32_t zp4 = (int32_t)(((uint32_t)in_zp & 0xffu) * 0x01010101u), zpw = __sxtb16(zp4);
    const int steps = r ? r->oh : s->n * s->oh, clip = act_min > -128 || act_max < 127;
    const int direct = r && tinycc_dw_tp_direct(r);   /* in place without the ring */
    int32_t *const fwt = buf, *const xb = buf + TINYCC_DW_TP_REC * co;
    int tag[3], first = r ? tinycc_ring_start(r) : 0, count = 0, step, ky, c, j;
    int32_t wp[5];
    int z0 = rq == 1 && out_zp == -128 && !clip;   /* mode z0 (the records) */
    for (c = 0; z0 && c < co; ++c) {   /* mode z0: every |folded bias| below 2^29 */
        const int32_t kb = pk0[12 * (c >> 2) + (c & 3)];
        if (kb <= -(1 << 29) || kb >= 1 << 29) z0 = 0;
    }
    for (c = 0; c < co; c += 4) {   /* the records, four channels a pass: filter rows as (w0, w1), (w1, w2)
                                     * (mode z0: doubled); the constants (mode z0: the bias doubled, Ra) */
        const int8_t *const f = fpk + 9 * c;
        const int32_t *const kc = pk0 + 3 * c;
        int32_t *const d = fwt + TINYCC_DW_TP_REC * c;
        for (ky = 0; ky < 3; ++ky) {   /* w0, w1, w2 of the four channels: even channels' halves, odd ones' */
            const int32_t a = tinycc_ld4(f + 12 * ky), b = tinycc_ld4(f + 12 * ky + 4), e = tinycc_ld4(f + 12 * ky + 8);
            int32_t ae = __sxtb16(a), ao = tinycc_dw_sxtb16_odd(a), be = __sxtb16(b), bo = tinycc_dw_sxtb16_odd(b);
            int32_t ee = __sxtb16(e), eo = tinycc_dw_sxtb16_odd(e);
            if (z0) {   /* |2 w| <= 256 */
                ae = (int32_t)__sadd16(ae, ae), ao = (int32_t)__sadd16(ao, ao), be = (int32_t)__sadd16(be, be);
                bo = (int32_t)__sadd16(bo, bo), ee = (int32_t)__sadd16(ee, ee), eo = (int32_t)__sadd16(eo, eo);
            }
            d[2 * ky] = tinycc_dw_tp_lo(ae, be), d[2 * ky + 1] = tinycc_dw_tp_lo(be, ee);
            d[TINYCC_DW_TP_REC + 2 * ky] = tinycc_dw_tp_lo(ao, bo);
            d[TINYCC_DW_TP_REC + 2 * ky + 1] = tinycc_dw_tp_lo(bo, eo);
            d[2 * TINYCC_DW_TP_REC + 2 * ky] = tinycc_dw_tp_hi(ae, be);
            d[2 * TINYCC_DW_TP_REC + 2 * ky + 1] = tinycc_dw_tp_hi(be, ee);
            d[3 * TINYCC_DW_TP_REC + 2 * ky] = tinycc_dw_tp_hi(ao, bo);
            d[3 * TINYCC_DW_TP_REC + 2 * ky + 1] = tinycc_dw_tp_hi(bo, eo);
        }
        for (j = 0; j < 4; ++j) {
            int32_t *const dj = d + TINYCC_DW_TP_REC * j;
            const int32_t sh = (kc[5 + 2 * j] & 255) + 1;   /* r */
            dj[6] = kc[4 + 2 * j];
            dj[7] = z0 ? (int32_t)((1u << (sh - 1)) - (128u << sh)) : kc[5 + 2 * j];
            dj[8] = z0 ? 2 * kc[j] : kc[j];
            dj[9] = sh;
        }
    }
    for (c = 0; c < co; ++c) {   /* the words of padding columns, every slot (rows inside never write them) */
        int32_t *const xc = xb + (long)c * kp * 3;
        for (j = 0; j < 3 * ((cl + 1) >> 1); ++j) xc[j] = zpw;
        for (j = 3 * (cr >> 1); j < 3 * kp; ++j) xc[j] = zpw;
    }
    if (cl < cr) tinycc_dw_tp_wp(wp, cl, cr, 3 * kp, ci);
    for (step = 0; step < steps; ++step) {
        const int b = r ? 0 : step / s->oh, oy = r ? tinycc_ring_row(r, step) : step % s->oh;
        const int iy0 = oy * s->sh - s->pad_t, rot = ((iy0 % 3) + 3) % 3;
        /* slot s holds window row (s - rot) mod 3: its pairs at word 2 ((s - rot) mod 3) of a record */
        const int ko[3] = {rot ? 6 - 2 * rot : 0, 2 - 2 * rot + (rot == 2) * 6, 4 - 2 * rot};
        int8_t *const row = r && !direct ? tinycc_ring_slot(r, ring, oy)
                                         : out + (long)(r ? oy : step) * ow * co;
        int k0 = 0;
        if (oy == 0 || step == 0) tag[0] = tag[1] = tag[2] = -0x7fffffff;   /* a new image: no row held */
        for (ky = 0; ky < 3; ++ky) {
            const int iy = iy0 + ky, k = rot + ky < 3 ? rot + ky : rot + ky - 3;   /* iy mod 3 */
            if (tag[k] == iy) continue;
            tag[k] = iy;
            if (iy >= 0 && iy < s->h && cl < cr)   /* widened: all channel groups in one assembly block */
                tinycc_dw_tp_widen(in + ((long)(b * s->h + iy) * w + cl - pad_l) * ci, xb + (cl >> 1) * 3 + k, wp,
                                   co >> 2, ci);
            else if (cl < cr) {   /* a row outside the input: the zero point (co * kp a multiple of 4) */
                int32_t *q = xb + k;
                const int32_t *const e = q + 3L * co * kp;
                for (; q < e; q += 12) q[0] = q[3] = q[6] = q[9] = zpw;
            }
        }
        if (np >= 2 && (!TINYCC_DW_TP_CLIP || !clip)) {   /* quads: the assembly */
            const int32_t left = np & 1, dp = 12 * kp - 24 * sw * (np / 2) - 12 * sw * left;
            const int32_t dq = 1 - 4 * co * (np / 2) - 2 * co * left;
            int32_t x[13];
            x[0] = (int32_t)(intptr_t)fwt;
            x[1] = (int32_t)((uint32_t)(uintptr_t)xb - (uint32_t)dp);   /* addresses: no signed overflow */
            x[2] = (int32_t)((uint32_t)(uintptr_t)row - (uint32_t)dq);
            x[3] = 4 * ko[0], x[4] = 4 * ko[1], x[5] = 4 * ko[2];
            x[6] = co;
            x[7] = dp;
            x[8] = 24 * sw * (np / 2);
            x[9] = out_zp;
            x[10] = left;
            x[11] = dq;
            x[12] = (int32_t)((uint32_t)(uintptr_t)xb + (uint32_t)(12 * kp * co - dp));
            k0 = np;   /* pairs done */
            TINYCC_DW_TP_RUN(1, 0, z0) TINYCC_DW_TP_RUN(1, 1, rq == 1) TINYCC_DW_TP_RUN(1, 2, rq == 2)
            TINYCC_DW_TP_RUN(2, 0, z0) TINYCC_DW_TP_RUN(2, 1, rq == 1) TINYCC_DW_TP_RUN(2, 2, rq == 2)
            k0 = 0;   /* no assembly loop compiled in for it: the C loop below */
        }
        if (TINYCC_DW_TP_CLOOP && (k0 < np || odd)) {   /* clipping (every pair), the odd last output: the C loop */
#if TINYCC_DW_TP_SW & 2
            if (sw == 2) TINYCC_DW_TP_C(2);
            else
#endif
            TINYCC_DW_TP_C(1);
        }
        if (r && !direct) tinycc_ring_flush(r, out, ring, step, oy, &first, &count);
    }
}
#undef TINYCC_DW_TP_ASM
#undef TINYCC_DW_TP_QUAD
#undef TINYCC_DW_TP_LEFT_TEST
#undef TINYCC_DW_TP_LEFT_RUN
#undef TINYCC_DW_TP_RUN
#undef TINYCC_DW_TP_X
#undef TINYCC_DW_TP_REQ0
#undef TINYCC_DW_TP_REQ1
#undef TINYCC_DW_TP_REQ2
#undef TINYCC_DW_TP_REQ12
#undef TINYCC_DW_TP_ZP0
#undef TINYCC_DW_TP_LDZP0
#undef TINYCC_DW_TP_LDZP1
#undef TINYCC_DW_TP_LDZP2
#undef TINYCC_DW_TP_ZP1
#undef TINYCC_DW_TP_ZP2
#undef TINYCC_DW_TP_SLOT
#undef TINYCC_DW_TP_SLOT2
#undef TINYCC_DW_TP_SLOTS1
#undef TINYCC_DW_TP_FIRST1
#undef TINYCC_DW_TP_FIRST2
#undef TINYCC_DW_TP_SLOTS2
#undef TINYCC_DW_TP_S2
#undef TINYCC_DW_TP_C
#undef TINYCC_DW_TP_OUT
#undef TINYCC_DW_TP_S1
#endif

/* tp: the records then the ring (the emitter's _tpair_bytes): bytes of the arena free while the node runs,
 * or NULL: then the wrapper's frame holds them (TINYCC_DW_TP_STACK, the most such a node needs). Either
 * way the frame has room that stands for the assembly's own frame below sp, which GCC's -fstack-usage
 * (the worst-case stack reports) cannot see (an empty asm takes its address, so it stays). */
#if TINYCC_DW_TP_STACK
#define TINYCC_DW_TP_ROOM \
    int32_t own[(TINYCC_DW_TP_STACK + TINYCC_DW_TP_FRAME) / 4]; \
    if (!tp) tp = own
#else
#define TINYCC_DW_TP_ROOM int32_t room[TINYCC_DW_TP_FRAME / 4]; __asm__ volatile("" : : "r"(room) : "memory")
#endif

static __attribute__((noinline, unused)) void
tinycc_depthwise_conv_2d_s8_tpair(const tinycc_dw_shape *s, const int8_t *in, const int8_t *filter, const int32_t *bias,
                                  const int32_t *kbias, int8_t *out, int32_t in_zp, int32_t out_zp, const int32_t *mult,
                                  const int32_t *shift, int32_t act_min, int32_t act_max, int32_t *tp) {
#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
    TINYCC_DW_TP_ROOM;
    (void)bias, (void)mult, (void)shift;
    tinycc_dw_s8_tpair(s, NULL, in, filter, kbias, out, NULL, tp, in_zp, out_zp, act_min, act_max);
#else
    (void)tp;
    tinycc_depthwise_conv_2d_s8_fast(s, in, filter, bias, kbias, out, in_zp, out_zp, mult, shift, act_min, act_max);
#endif
}

/* in place (kernels/inplace.h): the output over its input `buf` (batch 1), rows straight over it where
 * tinycc_dw_tp_direct allows (input rows are read only to be widened), else through the ring */
static __attribute__((noinline, unused)) void
tinycc_depthwise_conv_2d_s8_tpair_inplace(const tinycc_dw_shape *s, const tinycc_ring_shape *r, int8_t *buf,
                                          const int8_t *filter, const int32_t *bias, const int32_t *kbias, int8_t *ring,
                                          int32_t in_zp, int32_t out_zp, const int32_t *mult, const int32_t *shift,
                                          int32_t act_min, int32_t act_max, int32_t *tp) {
#if defined(TINYCC_DSP) && !defined(TINYCC_DW_MVE)
    TINYCC_DW_TP_ROOM;
    (void)bias, (void)mult, (void)shift;
    tinycc_dw_s8_tpair(s, r, buf, filter, kbias, buf, ring, tp, in_zp, out_zp, act_min, act_max);
#else
    (void)tp;
    tinycc_depthwise_conv_2d_s8_fast_inplace(s, r, buf, filter, bias, kbias, ring, in_zp, out_zp, mult, shift, act_min,
                                             act_max);
#endif
}

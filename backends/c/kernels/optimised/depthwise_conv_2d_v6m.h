/* Depthwise 3x3 on ARMv6-M (Cortex-M0/M0+) a channel at a time over a small int32 plane (tinycc_dw_s8_v6m;
 * tinycc_depthwise_conv_2d_s8_fast and its in-place form take it where tinycc_dw_v6m_pw says the shape
 * fits: packed filter with rq 1 or 2, stride 1 or 2 across, the padded plane at most 14 words wide and
 * TINYCC_DW_V6M_WORDS words). Per channel: its input is copied once into the plane by assembly (word
 * y * pw + x the input at row y - pad_t, column x - pad_l, sign-extended; outside the input the input
 * zero point, which the folded bias cancels, as the fast kernel's patch), its nine weights go to
 * registers (four low, five high), and one block of Thumb-1 assembly takes every output: a tap is LDR
 * with an immediate offset (the plane's row stride pw is a literal: 8 or 14 words), MULS by the weight
 * (a high one first copied to a low register) and ADDS: 32 instructions an output of 9 MACs at stride
 * 1 and 6 a row (a row's outputs unrolled, entered at the row's width), against the four-channel taps' 18
 * a tap of 4 MACs plus their pointer steps and patches. The sum is
 * stored over the output's top-left tap, which no later output reads (outputs run in raster order:
 * later ones start right of or below it). The channel's outputs are then requantised by assembly
 * (tinycc_dw_v6m_relu) for a ReLU with out_zp -128, else by a C loop (tinycc_dw_rq, rq 2's out_zp after
 * the shift, tinycc_dw_store4's ReLU shortcut), and the zero point goes back where a sum overwrote a
 * border word. In place (out == in, batch 1) the output writes only channel c's bytes after channel c's
 * input is in the plane, and no pixel past the output's: no ring. Sums are TFLM's exactly (integer
 * additions in another order). Measured on KWS (25x5x64, stride 1): 649-687 K -> 487-509 K instructions a layer
 * (sums 35, requantisation 21, widening 4.6 an output), then 461-478 K with the requantisation's short form
 * (15.8 an output, most sums positive), then 409-425 K with the sums, requantisation and widening a row
 * of unrolled code each (no loop test an output). */
#if defined(TINYCC_V6M_ASM) && !defined(TINYCC_DSP) && !defined(__OPTIMIZE_SIZE__)
#define TINYCC_DW_V6M 1
#ifndef TINYCC_DW_ONLY_PF
#define TINYCC_DW_ONLY_PF 0     /* as depthwise_conv_2d_fast.h's (1, the emitter's: every fast node has the packed filter) */
#endif
#ifndef TINYCC_DW_V6M_WORDS
#define TINYCC_DW_V6M_WORDS 256   /* the plane's words at most (1 KB of stack) */
#endif

/* the plane's row stride in words (8 or 14: the taps' offsets up to 4 (2 pw + 2) bytes fit LDR's
 * immediate) when the node fits the kernel, else 0 */
static inline int tinycc_dw_v6m_pw(const tinycc_dw_shape *s) {
    const int cols0 = (s->ow - 1) * s->sw + 3, cols1 = s->pad_l + s->w;
    const int rows0 = (s->oh - 1) * s->sh + 3, rows1 = s->pad_t + s->h;
    const int cols = cols0 > cols1 ? cols0 : cols1, rows = rows0 > rows1 ? rows0 : rows1;
    const int pw = cols <= 8 ? 8 : cols <= 14 ? 14 : 0;
    if (s->kh != 3 || s->kw != 3 || s->dh != 1 || s->dw != 1 || s->mult != 1 || (s->rq != 1 && s->rq != 2) ||
        !(TINYCC_DW_ONLY_PF || s->pf) || (s->sw != 1 && s->sw != 2) || s->sh < 1)
        return 0;
    return pw && rows * pw <= TINYCC_DW_V6M_WORDS ? pw : 0;
}

/* one tap: the plane word at byte OFF of r0 times the weight in low register W (or high register W
 * copied to r3) added to the sum r1 */
#define TINYCC_DW_PL_TL(OFF, W) "ldr r2, [r0, #" OFF "]\n\t" "muls r2, " W ", r2\n\t" "adds r1, r1, r2\n\t"
#define TINYCC_DW_PL_TH(OFF, W) \
    "ldr r2, [r0, #" OFF "]\n\t" "mov r3, " W "\n\t" "muls r2, r3, r2\n\t" "adds r1, r1, r2\n\t"
/* every output of a channel: r0 at output (0, 0)'s top-left tap, r1 at the context (the nine weights,
 * the first row's end, the bytes from a row's end to the next row's start, the row step, the last
 * row's end past it); rows A, B, C: filter row 1's tap offsets, D, E, F row 2's; STORE stores the sum and
 * outputs. Weights 0-3 in r4-r7 (r7 pushed and popped: it may be the frame pointer, which nothing here
 * addresses), 4-8 in r8-r12, the row's end in lr, the rest on the stack. */
/* the blocks' row ends: leave (to 6) when r0 is at the last row's end ([sp]), else step r0 over the row's
 * skip ([sp, #4]) and go back to the row's entry (lr) by MOV PC; then their stack and r7 back, and their
 * operands */
#define TINYCC_DW_PL_NEXT_ROW \
    "ldr r2, [sp]\n\t" "cmp r0, r2\n\t" "beq 6f\n\t" \
    "ldr r2, [sp, #4]\n\t" "adds r0, r0, r2\n\t" "mov pc, lr\n" \
    "6:\n\t" \
    "add sp, #8\n\t" "pop {r7}" \
    : "+l"(p_), "+l"(c_) \
    : \
    : "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory"
/* the blocks' operands: the plane and the context */
#define TINYCC_DW_PL_REGS \
    register int32_t *p_ __asm__("r0") = plane; \
    register int32_t *c_ __asm__("r1") = ctx
/* a row's outputs unrolled (TINYCC_DW_PL_U of them: a plane row of 14 words holds 12 outputs at stride 1,
 * 6 at stride 2), entered ctx[13] bytes in so that ow run; lr holds that entry (ADD PC reads 4 past it: r2
 * = the entry 10 bytes on, past ADDS, MOV, LDM, MOV PC); a row's end leaves when r0 is at the last row's
 * end ([sp]), else steps r0 over the row's skip ([sp, #4]) and goes back by MOV PC: 6 instructions a row,
 * 2 an output and 7 a row before */
#define TINYCC_DW_PL_OUT(A, B, C, D, E, F, STORE) \
                     "ldr r1, [r0, #0]\n\t" "muls r1, r4, r1\n\t" \
                     TINYCC_DW_PL_TL("4", "r5") TINYCC_DW_PL_TL("8", "r6") TINYCC_DW_PL_TL(A, "r7") \
                     TINYCC_DW_PL_TH(B, "r8") TINYCC_DW_PL_TH(C, "r9") TINYCC_DW_PL_TH(D, "r10") \
                     TINYCC_DW_PL_TH(E, "r11") TINYCC_DW_PL_TH(F, "r12") \
                     STORE
#define TINYCC_DW_PL_OUT3(A, B, C, D, E, F, STORE) TINYCC_DW_PL_OUT(A, B, C, D, E, F, STORE) \
    TINYCC_DW_PL_OUT(A, B, C, D, E, F, STORE) TINYCC_DW_PL_OUT(A, B, C, D, E, F, STORE)
#define TINYCC_DW_PL_ASM(A, B, C, D, E, F, STORE, ROW) \
    __asm__ volatile(".syntax unified\n\t" \
                     "push {r7}\n\t" \
                     "ldr r2, [r1, #48]\n\t" "ldr r3, [r1, #44]\n\t" "subs r2, r2, r3\n\t" "ldr r3, [r1, #40]\n\t" \
                     "push {r2, r3}\n\t"    /* [sp] the last row's end, [sp, #4] the row's skip */ \
                     "ldr r2, [r1, #16]\n\t" "mov r8, r2\n\t" "ldr r2, [r1, #20]\n\t" "mov r9, r2\n\t" \
                     "ldr r2, [r1, #24]\n\t" "mov r10, r2\n\t" "ldr r2, [r1, #28]\n\t" "mov r11, r2\n\t" \
                     "ldr r2, [r1, #32]\n\t" "mov r12, r2\n\t" "ldr r2, [r1, #52]\n\t" \
                     "add r2, pc\n\t" "adds r2, #6\n\t" "mov lr, r2\n\t" \
                     "ldmia r1!, {r4, r5, r6, r7}\n\t" \
                     "mov pc, r2\n\t" \
                     ROW \
                     TINYCC_DW_PL_NEXT_ROW)
/* the sum stored over the top-left tap and r0 stepped to the next output's: stride 1 one STMIA */
#define TINYCC_DW_PL_ST1 "stmia r0!, {r1}\n\t"
#define TINYCC_DW_PL_ST2 "str r1, [r0, #0]\n\t" "adds r0, #8\n\t"
#define TINYCC_DW_PL_ROW1(A, B, C, D, E, F) TINYCC_DW_PL_OUT3(A, B, C, D, E, F, TINYCC_DW_PL_ST1) \
    TINYCC_DW_PL_OUT3(A, B, C, D, E, F, TINYCC_DW_PL_ST1) TINYCC_DW_PL_OUT3(A, B, C, D, E, F, TINYCC_DW_PL_ST1) \
    TINYCC_DW_PL_OUT3(A, B, C, D, E, F, TINYCC_DW_PL_ST1)
#define TINYCC_DW_PL_ROW2(A, B, C, D, E, F) TINYCC_DW_PL_OUT3(A, B, C, D, E, F, TINYCC_DW_PL_ST2) \
    TINYCC_DW_PL_OUT3(A, B, C, D, E, F, TINYCC_DW_PL_ST2)
#define TINYCC_DW_PL_U(sw) ((sw) == 1 ? 12 : 6)     /* the outputs a row's unrolled code holds */
#define TINYCC_DW_PL_BYTES(sw) ((sw) == 1 ? 64 : 66)   /* its bytes an output: 32 or 33 instructions */
static inline __attribute__((always_inline)) void tinycc_dw_v6m_sums(int pw, int sw, int32_t *plane, int32_t *ctx) {
    TINYCC_DW_PL_REGS;
    if (pw == 8) {
        if (sw == 1) TINYCC_DW_PL_ASM("32", "36", "40", "64", "68", "72", TINYCC_DW_PL_ST1,
                                      TINYCC_DW_PL_ROW1("32", "36", "40", "64", "68", "72"));
        else TINYCC_DW_PL_ASM("32", "36", "40", "64", "68", "72", TINYCC_DW_PL_ST2,
                              TINYCC_DW_PL_ROW2("32", "36", "40", "64", "68", "72"));
    } else {
        if (sw == 1) TINYCC_DW_PL_ASM("56", "60", "64", "112", "116", "120", TINYCC_DW_PL_ST1,
                                      TINYCC_DW_PL_ROW1("56", "60", "64", "112", "116", "120"));
        else TINYCC_DW_PL_ASM("56", "60", "64", "112", "116", "120", TINYCC_DW_PL_ST2,
                              TINYCC_DW_PL_ROW2("56", "60", "64", "112", "116", "120"));
    }
}
#undef TINYCC_DW_PL_ASM
#undef TINYCC_DW_PL_ROW1
#undef TINYCC_DW_PL_ROW2
#undef TINYCC_DW_PL_OUT3
#undef TINYCC_DW_PL_OUT
#undef TINYCC_DW_PL_ST1
#undef TINYCC_DW_PL_ST2
#undef TINYCC_DW_PL_TL
#undef TINYCC_DW_PL_TH

/* a channel's h x w input bytes into the plane, sign-extended: r0 at its first byte (ci bytes apart, rows
 * w ci apart), r1 at the plane's first input word (rows pw words apart), r2 = ci, r3 at the context: the
 * bytes from a row's last word to the next row's start, w ci, the end of the input, the row's entry (bytes
 * skipped of its 7 unrolled pairs). A pair: LDRSB at offsets 0 (r4) and ci (r2), r0 stepped by 2 ci (r3),
 * one STMIA of the two (4 instructions); an odd width's last byte after the pairs; a row's end steps r1
 * and goes back by MOV PC to the row's entry (lr) until r0 is at the input's end: 2 instructions a byte, 4
 * a row (3.5 and 4 with the loop before) */
#define TINYCC_DW_PL_PAIR \
    "ldrsb r5, [r0, r4]\n\t" "ldrsb r6, [r0, r2]\n\t" "adds r0, r0, r3\n\t" "stmia r1!, {r5, r6}\n\t"
#define TINYCC_DW_PL_WIDEN_ASM(ODD) \
    __asm__ volatile(".syntax unified\n\t" \
                     "ldr r4, [r3, #0]\n\t" "mov r8, r4\n\t" "ldr r4, [r3, #8]\n\t" "mov r10, r4\n\t" \
                     "ldr r4, [r3, #12]\n\t" "adds r3, r2, r2\n\t" \
                     "add r4, pc\n\t" "adds r4, #6\n\t" "mov lr, r4\n\t" "movs r4, #0\n\t" "mov pc, lr\n\t" \
                     TINYCC_DW_PL_PAIR TINYCC_DW_PL_PAIR TINYCC_DW_PL_PAIR TINYCC_DW_PL_PAIR TINYCC_DW_PL_PAIR \
                     TINYCC_DW_PL_PAIR TINYCC_DW_PL_PAIR \
                     ODD \
                     "add r1, r8\n\t" "cmp r0, r10\n\t" "beq 9f\n\t" "mov pc, lr\n" \
                     "9:" \
                     : "+l"(s_), "+l"(d_), "+l"(c_) \
                     : "l"(ci_) \
                     : "r4", "r5", "r6", "r8", "r10", "lr", "cc", "memory")
#define TINYCC_DW_PL_ODD "ldrsb r5, [r0, r4]\n\t" "adds r0, r0, r2\n\t" "stmia r1!, {r5}\n\t"
static inline __attribute__((always_inline)) void tinycc_dw_v6m_widen(const int8_t *src, int32_t *d, int ci, int w,
                                                                     int32_t *ctx) {
    register const int8_t *s_ __asm__("r0") = src;
    register int32_t *d_ __asm__("r1") = d;
    register int ci_ __asm__("r2") = ci;
    register int32_t *c_ __asm__("r3") = ctx;
    if (w & 1) TINYCC_DW_PL_WIDEN_ASM(TINYCC_DW_PL_ODD);
    else TINYCC_DW_PL_WIDEN_ASM("");
}
#undef TINYCC_DW_PL_WIDEN_ASM
#undef TINYCC_DW_PL_ODD
#undef TINYCC_DW_PL_PAIR

/* a channel's outputs from its sums in the plane when the node is a ReLU with out_zp = act_min = -128 and
 * act_max = 127 (rq 1, or rq 2: ZP subtracts 128 after the shift), for a channel whose right shift r is at
 * most 16: a sum <= 0 stores -128 (tinycc_dw_store4's shortcut). A positive acc a below 2^16 (LSRS #16
 * leaves 0) takes the short exact form (proof below): 19 instructions an output with its load, store and
 * loop step (stride 1, rq 1), 29 before. A larger a takes tinycc_dw_rq's high word, floor((a M + 2^30) / 2^32) + hi0, from
 * 16-bit halves: a M + 2^30 = ah mh 2^32 + (X 2^16 + al ml + 2^30) with X = al mh + ah ml, whose quotient
 * by 2^32 is ah mh + floor((X + 2^14 + (al ml >> 16)) / 2^16) (unsigned under 2^32 for any int32 a > 0:
 * ah, mh < 2^15, al, ml < 2^16, so X < 2^32 - 3 2^16), then the shift by r - 1 and the clamp to 127.
 *
 * The short form. TFLM's MultiplyByQuantizedMultiplier(a, M, -r) for a > 0, 0 <= M < 2^31 and r >= 0 (no
 * left shift) is RDBPOT(SRDHM(a, M), r) with SRDHM(a, M) = x = floor((a M + 2^30) / 2^31) (the product is
 * >= 0, so its nudge is +2^30 and the division's truncation a floor) and, x being >= 0, RDBPOT(x, r) =
 * (x >> r) + (x mod 2^r > 2^(r-1) - 1) = floor((x + 2^(r-1)) / 2^r) for r >= 1, x for r = 0. For integers
 * c and d > 0, floor((floor(y) + c) / d) = floor((y + c) / d), so
 *   out - out_zp = floor((a M + K) / 2^(31+r)),  K = 2^30 + 2^(30+r)  (K = 2^30 for r = 0).
 * With M = mh 2^16 + ml (ml < 2^16, mh < 2^15) and K a multiple of 2^16, floor((a M + K) / 2^16) =
 * a mh + floor(a ml / 2^16) + K / 2^16, and dividing that by 2^(15+r) with a floor gives the same value:
 *   out - out_zp = (a mh + ((a ml) >> 16) + kh) >> (15 + r),  kh = K >> 16 = 2^14 + 2^(14+r) (2^14 for r = 0).
 * For 0 < a < 2^16 every step fits 32 unsigned bits: a ml < 2^32, a mh < 2^31, and the sum < 2^31 + 2^16 +
 * 2^14 + 2^30 when r <= 16. Then out = that - 128, clamped to 127 (it is >= -128).
 *
 * r0 at the plane, r1 at the context: ml, mh, hi0, r - 1, co, the folded bias, the first row's end, the
 * row's skip and step, the last row's end past it, the output pointer, kh, 15 + r. Registers: 15 + r r3,
 * ml r5, mh r6, the bias r7, kh r8, hi0 r10, r - 1 r11, co r12, the row's end lr; the long form saves r3
 * and r5 around its own use. */
/* one output (a copy of a row's unrolled outputs): the positive path falls through its clamp's taken BLE
 * into the store, a sum <= 0 through 5 (the long form between, out of the way) */
#define TINYCC_DW_PL_RQ1(ZP, LOAD) \
                     LOAD "adds r2, r2, r7\n\t" "ble 5f\n\t" \
                     "lsrs r4, r2, #16\n\t" "bne 7f\n\t" \
                     "movs r4, r2\n\t" "muls r4, r5, r4\n\t" "lsrs r4, r4, #16\n\t" \
                     "muls r2, r6, r2\n\t" "adds r2, r2, r4\n\t" "add r2, r8\n\t" \
                     "lsrs r2, r2, r3\n\t" "subs r2, #128\n" \
                     "3:\n\t" \
                     "cmp r2, #127\n\t" "ble 4f\n\t" "movs r2, #127\n\t" "b 4f\n" \
                     "7:\n\t" \
                     "push {r3, r5}\n\t" "movs r3, r4\n\t" "uxth r2, r2\n\t" \
                     "movs r4, r5\n\t" "movs r5, r2\n\t" "muls r5, r4, r5\n\t" "muls r4, r3, r4\n\t" \
                     "muls r2, r6, r2\n\t" "muls r3, r6, r3\n\t" \
                     "lsrs r5, r5, #16\n\t" "adds r2, r2, r4\n\t" "adds r2, r2, r5\n\t" \
                     "movs r5, #128\n\t" "lsls r5, r5, #7\n\t" "adds r2, r2, r5\n\t" \
                     "lsrs r2, r2, #16\n\t" "adds r3, r3, r2\n\t" "add r3, r10\n\t" \
                     "mov r5, r11\n\t" "asrs r3, r3, r5\n\t" ZP \
                     "movs r2, r3\n\t" "pop {r3, r5}\n\t" "b 3b\n" \
                     "5:\n\t" \
                     "movs r2, #128\n" \
                     "4:\n\t" \
                     "strb r2, [r1]\n\t" "add r1, r12\n\t"
#define TINYCC_DW_PL_RQ3(ZP, LOAD) TINYCC_DW_PL_RQ1(ZP, LOAD) TINYCC_DW_PL_RQ1(ZP, LOAD) TINYCC_DW_PL_RQ1(ZP, LOAD)
/* r0 at the plane, r1 at the context: ml, mh, hi0, r - 1, co, the folded bias, the first row's end, the
 * row's skip and step, the last row's end past it, the output pointer, kh, 15 + r, the row's entry (bytes
 * skipped of its unrolled outputs, as tinycc_dw_v6m_sums's). Registers: 15 + r r3, ml r5, mh r6, the bias
 * r7, kh r8, hi0 r10, r - 1 r11, co r12, the row's entry lr; the long form saves r3 and r5 around its own
 * use. ADD PC reads 4 past it: r4 = the entry 8 bytes on, past ADDS, MOV and MOV PC. */
#define TINYCC_DW_PL_RQ_ASM(ROW) \
    __asm__ volatile(".syntax unified\n\t" \
                     "push {r7}\n\t" \
                     "ldr r2, [r1, #36]\n\t" "ldr r3, [r1, #32]\n\t" "subs r2, r2, r3\n\t" "ldr r3, [r1, #28]\n\t" \
                     "push {r2, r3}\n\t"    /* [sp] the last row's end, [sp, #4] the row's skip */ \
                     "ldr r2, [r1, #44]\n\t" "mov r8, r2\n\t" \
                     "ldr r2, [r1, #8]\n\t" "mov r10, r2\n\t" "ldr r2, [r1, #12]\n\t" "mov r11, r2\n\t" \
                     "ldr r2, [r1, #16]\n\t" "mov r12, r2\n\t" \
                     "ldr r5, [r1, #0]\n\t" "ldr r6, [r1, #4]\n\t" "ldr r3, [r1, #48]\n\t" \
                     "ldr r7, [r1, #20]\n\t" "ldr r4, [r1, #52]\n\t" "ldr r1, [r1, #40]\n\t" \
                     "add r4, pc\n\t" "adds r4, #4\n\t" "mov lr, r4\n\t" "mov pc, r4\n\t" \
                     ROW \
                     TINYCC_DW_PL_NEXT_ROW)

/* a sum into r2 and r0 stepped to the next one's: stride 1 one LDMIA */
#define TINYCC_DW_PL_LD1 "ldmia r0!, {r2}\n\t"
#define TINYCC_DW_PL_LD2 "ldr r2, [r0]\n\t" "adds r0, #8\n\t"
#define TINYCC_DW_PL_ZP2 "subs r3, #128\n\t"   /* rq 2: out_zp (-128) after the shift */
#define TINYCC_DW_PL_RQ12(ZP, LOAD) TINYCC_DW_PL_RQ3(ZP, LOAD) TINYCC_DW_PL_RQ3(ZP, LOAD) TINYCC_DW_PL_RQ3(ZP, LOAD) \
    TINYCC_DW_PL_RQ3(ZP, LOAD)
#define TINYCC_DW_PL_RQ6(ZP, LOAD) TINYCC_DW_PL_RQ3(ZP, LOAD) TINYCC_DW_PL_RQ3(ZP, LOAD)
/* a copy's bytes: 43 two-byte instructions, one more for stride 2's load and one for rq 2's zero point */
#define TINYCC_DW_PL_RQ_BYTES(sw, rq) (86 + 2 * ((sw) == 2) + 2 * ((rq) == 2))
static inline __attribute__((always_inline)) void tinycc_dw_v6m_relu(int rq, int sw, int32_t *plane, int32_t *ctx) {
    TINYCC_DW_PL_REGS;
    if (sw == 1 && rq == 1) TINYCC_DW_PL_RQ_ASM(TINYCC_DW_PL_RQ12("", TINYCC_DW_PL_LD1));
    else if (sw == 1) TINYCC_DW_PL_RQ_ASM(TINYCC_DW_PL_RQ12(TINYCC_DW_PL_ZP2, TINYCC_DW_PL_LD1));
    else if (rq == 1) TINYCC_DW_PL_RQ_ASM(TINYCC_DW_PL_RQ6("", TINYCC_DW_PL_LD2));
    else TINYCC_DW_PL_RQ_ASM(TINYCC_DW_PL_RQ6(TINYCC_DW_PL_ZP2, TINYCC_DW_PL_LD2));
}
#undef TINYCC_DW_PL_RQ12
#undef TINYCC_DW_PL_RQ6
#undef TINYCC_DW_PL_RQ3
#undef TINYCC_DW_PL_RQ1
#undef TINYCC_DW_PL_ZP2
#undef TINYCC_DW_PL_RQ_ASM
#undef TINYCC_DW_PL_NEXT_ROW
#undef TINYCC_DW_PL_REGS
#undef TINYCC_DW_PL_LD1
#undef TINYCC_DW_PL_LD2

/* the node's outputs (out may be in: in place, batch 1); pw: tinycc_dw_v6m_pw's */
static __attribute__((noinline)) void tinycc_dw_s8_v6m(const tinycc_dw_shape *s, const int8_t *in, const int8_t *fpk,
                                                       const int32_t *pk0, int8_t *out, int32_t in_zp, int32_t out_zp,
                                                       int32_t act_min, int32_t act_max, int pw) {
    const int h = s->h, w = s->w, ci = s->ci, co = s->co, oh = s->oh, ow = s->ow, sh = s->sh, sw = s->sw;
    const int pad_t = s->pad_t, pad_l = s->pad_l, rq = s->rq, relu = out_zp <= act_min;
    const int rows0 = (oh - 1) * sh + 3, rows = rows0 > pad_t + h ? rows0 : pad_t + h;
    /* outputs whose sums land on the left and right border columns: ox < ox_lo, ox >= ox_hi */
    const int ox_lo = (pad_l + sw - 1) / sw, ox_hi0 = (pad_l + w + sw - 1) / sw, ox_hi = ox_hi0 < ow ? ox_hi0 : ow;
    int32_t plane[TINYCC_DW_V6M_WORDS], ctx[14];
    int32_t *q, *const qe = plane + oh * sh * pw;
    int b, c, j, oy, ox;
    const int fast = out_zp == -128 && act_min == -128 && act_max == 127;   /* tinycc_dw_v6m_relu's nodes */
    int32_t rc[14], wc[4];
    for (j = 0; j < rows * pw; ++j) plane[j] = in_zp;
    ctx[9] = (int32_t)(intptr_t)(plane + ow * sw);
    ctx[10] = 4 * (sh * pw - ow * sw);
    ctx[11] = 4 * sh * pw;
    ctx[12] = ctx[9] + oh * ctx[11];
    ctx[13] = TINYCC_DW_PL_BYTES(sw) * (TINYCC_DW_PL_U(sw) - ow);   /* tinycc_dw_v6m_sums's entry */
    wc[0] = 4 * (pw - w), wc[1] = w * ci, wc[3] = 8 * (7 - w / 2);   /* tinycc_dw_v6m_widen's entry */
    rc[4] = co, rc[6] = ctx[9], rc[7] = ctx[10], rc[8] = ctx[11], rc[9] = ctx[12];
    rc[13] = TINYCC_DW_PL_RQ_BYTES(sw, rq) * (TINYCC_DW_PL_U(sw) - ow);   /* tinycc_dw_v6m_relu's entry */
    for (b = 0; b < s->n; ++b)
    for (c = 0; c < co; ++c) {
        const int g = c >> 2, k = c & 3;
        const int32_t kb = pk0[12 * g + k], m = pk0[12 * g + 4 + 2 * k], rqw = pk0[12 * g + 5 + 2 * k];
        const int8_t *src = in + (long)b * h * w * ci + c;
        int8_t *o = out + (long)b * oh * ow * co + c;
        int32_t *d = plane + pad_t * pw + pad_l;
        {   /* the nine weights, 4 bytes apart in the group's packed words */
            const int8_t *f = fpk + 36 * g + k;
            ctx[0] = f[0], ctx[1] = f[4], ctx[2] = f[8], ctx[3] = f[12], ctx[4] = f[16];
            ctx[5] = f[20], ctx[6] = f[24], ctx[7] = f[28], ctx[8] = f[32];
        }
        wc[2] = (int32_t)(intptr_t)(src + (long)h * w * ci);
        tinycc_dw_v6m_widen(src, d, ci, w, wc);
        tinycc_dw_v6m_sums(pw, sw, plane, ctx);
        const int r = (rqw & 255) + 1;   /* the channel's right shift */
        const int quick = fast && r <= 16;   /* tinycc_dw_v6m_relu's short form's bound */
        if (quick) {
            rc[0] = m & 0xffff, rc[1] = m >> 16, rc[2] = rqw >> 8, rc[3] = rqw & 255, rc[5] = kb;
            rc[11] = (1 << 14) + (1 << (14 + r)), rc[12] = 15 + r;
            rc[10] = (int32_t)(intptr_t)o;
            tinycc_dw_v6m_relu(rq, sw, plane, rc);
        } else
        for (oy = 0; oy < oh; ++oy) {
            int32_t *const row = plane + oy * sh * pw;
            for (ox = 0; ox < ow; ++ox, o += co) {
                const int32_t acc = row[ox * sw] + kb;
                int32_t v;
                if (relu && acc <= 0) {
                    v = act_min;
                } else {
                    v = rq == 1 ? tinycc_dw_rq(acc, m, rqw, 0x40000000) : tinycc_dw_rq2(acc, m, rqw, 0x40000000, out_zp);
                    v = tinycc_clamp(v, act_min, act_max);
                }
                *o = (int8_t)v;
            }
        }
        /* the zero point back where sums lay on the border: the rows of top and bottom padding, the
         * left and right columns */
        for (oy = 0; oy < oh && oy * sh < pad_t; ++oy)
            for (ox = 0; ox < ow; ++ox) plane[oy * sh * pw + ox * sw] = in_zp;
        for (oy = oh - 1; oy >= 0 && oy * sh >= pad_t + h; --oy)
            for (ox = 0; ox < ow; ++ox) plane[oy * sh * pw + ox * sw] = in_zp;
        for (ox = 0; ox < ox_lo; ++ox)
            for (q = plane + ox * sw; q != qe + ox * sw; q += sh * pw) *q = in_zp;
        for (ox = ox_hi; ox < ow; ++ox)
            for (q = plane + ox * sw; q != qe + ox * sw; q += sh * pw) *q = in_zp;
    }
}
#undef TINYCC_DW_PL_U
#undef TINYCC_DW_PL_BYTES
#undef TINYCC_DW_PL_RQ_BYTES
#endif

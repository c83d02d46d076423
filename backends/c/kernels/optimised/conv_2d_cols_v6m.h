/* ---- ARMv6-M (Cortex-M0/M0+) 1x1 convolution: two pixels by two channels in 16-bit Thumb ----
 * tinycc_conv_2d_s8_cols_pw's pixels two a pass with a column of int32 words, three a tap: pixel 0's,
 * pixel 1's, pixel 0's again (col[3 k], col[3 k + 2] pixel 0's tap k, col[3 k + 1] pixel 1's; a lone
 * last pixel's partner slot zeros), so that one LDM loads a tap of both pixels with no sign extension
 * and no register copy (each MULS overwrites an operand at its last use): 13 instructions a tap of 4
 * MACs (the int16 column of tinycc_cols_2x2 takes 17), two groups a pass. The filter stays conv_2d.py's
 * packed pairs (tinycc_cols_block), each weight byte loaded and sign-extended. Taken when the column
 * fits the column buffer (12 ci <= TINYCC_CONV_COLS_BYTES), else the int16 path; five pixels by one
 * channel (tinycc_cols_5x1_v6m) where their column fits, for any filter (tinycc_conv_2d_s8_cols_v6m,
 * the im2col taps outside the input at the input zero point). The sums are TFLM's
 * exactly (integer additions in another order); the requantisation is tinycc_cols_rq's. */
#if defined(TINYCC_COLS_V6M) && defined(TINYCC_COPY_V6M)
#define TINYCC_COLS_PW_V6M 1

/* acc[0..3] += (px0, ch0), (px0, ch1), (px1, ch0), (px1, ch1) over g >= 1 groups: x the column, w a
 * packed channel pair's filter words; returns w past them. Registers fixed for the LDM's ascending
 * list: column and filter pointers r0, r1, weights r2, r3, taps r4, r5, r6, the accumulators r8-r11,
 * the end r12. */
static inline const int32_t *tinycc_cols_2x2_v6m(const int32_t *x, const int32_t *w, int g, int32_t *acc) {
    register const int32_t *xr __asm__("r0") = x;
    register const int32_t *wr __asm__("r1") = w;
    register int32_t a0 __asm__("r8") = acc[0];
    register int32_t a1 __asm__("r9") = acc[1];
    register int32_t a2 __asm__("r10") = acc[2];
    register int32_t a3 __asm__("r11") = acc[3];
    register const int32_t *end __asm__("r12") = w + 2 * g;
    register int gr __asm__("r2") = g;
#define TINYCC_COLS_V6M_TAP(F0, F1) \
        "ldrb r2, [r1, #" F0 "]\n\t" \
        "sxtb r2, r2\n\t" \
        "ldrb r3, [r1, #" F1 "]\n\t" \
        "sxtb r3, r3\n\t" \
        "ldmia r0!, {r4, r5, r6}\n\t" \
        "muls r6, r2, r6\n\t" \
        "add r8, r6\n\t" \
        "muls r4, r3, r4\n\t" \
        "add r9, r4\n\t" \
        "muls r2, r5, r2\n\t" \
        "add r10, r2\n\t" \
        "muls r5, r3, r5\n\t" \
        "add r11, r5\n\t"
#define TINYCC_COLS_V6M_GROUP(A, B, C, D, E, F, G, H) \
        TINYCC_COLS_V6M_TAP(A, E) TINYCC_COLS_V6M_TAP(B, F) TINYCC_COLS_V6M_TAP(C, G) TINYCC_COLS_V6M_TAP(D, H)
    __asm__ volatile(   /* an odd group first, then two a pass */
        ".syntax unified\n\t"
        "lsls r2, r2, #31\n\t"
        "beq 2f\n\t"
        TINYCC_COLS_V6M_GROUP("0", "1", "2", "3", "4", "5", "6", "7")
        "adds r1, #8\n\t"
        "cmp r1, r12\n\t"
        "beq 3f\n"
        "2:\n\t"
        TINYCC_COLS_V6M_GROUP("0", "1", "2", "3", "4", "5", "6", "7")
        TINYCC_COLS_V6M_GROUP("8", "9", "10", "11", "12", "13", "14", "15")
        "adds r1, #16\n\t"
        "cmp r1, r12\n\t"
        "bne 2b\n"
        "3:\n\t"
        : "+l"(xr), "+l"(wr), "+l"(gr), "+h"(a0), "+h"(a1), "+h"(a2), "+h"(a3)
        : "h"(end)
        : "r3", "r4", "r5", "r6", "cc", "memory");
#undef TINYCC_COLS_V6M_GROUP
#undef TINYCC_COLS_V6M_TAP
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    return wr;
}

/* pixel p's n int8 taps at x into the column */
static inline void tinycc_cols_widen_v6m(int32_t *col, int p, const int8_t *x, int n) {
    int k;
    if (p == 0) {
        for (k = 0; k < n; ++k) col[3 * k] = col[3 * k + 2] = x[k];
    } else {
        for (k = 0; k < n; ++k) col[3 * k + 1] = x[k];
    }
}

/* every output channel of the np (1 or 2) pixels in the paired column (g groups): as
 * tinycc_cols_block (outputs at o, o + co; the same packed words) */
static inline void tinycc_cols_block_v6m(const tinycc_conv_shape *s, const int32_t *col, int np, int g,
                                         const int32_t *wpk, int8_t *o, int32_t act_min, int32_t act_max) {
    const int co = s->co;
    const int32_t zp2 = wpk[0], key = wpk[1], *w = wpk + 2;
    int8_t *op = o, *const end = o + (co & ~1);
    for (; op != end; op += 2) {
        int32_t acc[4], m0, m1, v0, v1;
        acc[0] = acc[2] = w[0];
        acc[1] = acc[3] = w[1];
        w = tinycc_cols_2x2_v6m(col, w + 2, g, acc);
        m0 = w[0], m1 = w[1];
        w += 2;
        v0 = tinycc_cols_rq(acc[0], m0, zp2, key);
        v1 = tinycc_cols_rq(acc[1], m1, zp2, key);
        if (np == 2) {
            const int32_t v2 = tinycc_cols_rq(acc[2], m0, zp2, key), v3 = tinycc_cols_rq(acc[3], m1, zp2, key);
            op[co] = (int8_t)tinycc_clamp(v2, act_min, act_max);
            op[co + 1] = (int8_t)tinycc_clamp(v3, act_min, act_max);
        }
        op[0] = (int8_t)tinycc_clamp(v0, act_min, act_max);
        op[1] = (int8_t)tinycc_clamp(v1, act_min, act_max);
    }
    if (co & 1) {   /* the odd last channel: {kb}, g words, {W} */
        const int32_t *q = w + 1 + g;
        const int8_t *f = (const int8_t *)(const void *)(w + 1);
        int32_t a0 = w[0], a1 = w[0];
        int k;
        for (k = 0; k < 4 * g; ++k) {   /* byte k of the channel's words is its tap k (little-endian) */
            a0 += (int32_t)f[k] * col[3 * k];
            a1 += (int32_t)f[k] * col[3 * k + 1];
        }
        op[0] = (int8_t)tinycc_clamp(tinycc_cols_rq(a0, q[0], zp2, key), act_min, act_max);
        if (np == 2) op[co] = (int8_t)tinycc_clamp(tinycc_cols_rq(a1, q[0], zp2, key), act_min, act_max);
    }
}

/* Five pixels by one channel (taken when 24 k4 <= TINYCC_CONV_COLS_BYTES): a column of six int32
 * words a tap (col[6 k]: the tap's byte offset in a channel's packed filter words, 8 (k / 4) + k % 4,
 * written once a layer by tinycc_cols_offsets_v6m; col[6 k + 1 + p]: pixel p's tap k; missing pixels'
 * slots zeros): one LDM loads the offset and a tap of the five, one LDRSB (register offset) the
 * weight, and each MULS overwrites the tap with its product while the weight stays: 12 instructions a
 * tap of 5 MACs. A channel pair's two channels are two passes over the column. */
#define TINYCC_COLS_V6M_NP 5
#define TINYCC_COLS_V6M_S (TINYCC_COLS_V6M_NP + 1)   /* column words a tap */
#if defined(__ARM_BIG_ENDIAN)
#define TINYCC_COLS_V6M_LE 0    /* byte j of a loaded word is tap j only little-endian */
#else
#define TINYCC_COLS_V6M_LE 1
#endif

/* the column's tap offsets (k4 taps, a multiple of 4) */
static inline void tinycc_cols_offsets_v6m(int32_t *col, int k4) {
    int k;
    for (k = 0; k < k4; ++k) col[TINYCC_COLS_V6M_S * k] = 8 * (k >> 2) + (k & 3);
}

/* the five accumulators and the column's end (set once a block; 4-byte pointers: ARMv6-M) */
typedef struct {
    int32_t a[TINYCC_COLS_V6M_NP];
    const int32_t *end;     /* at byte 20 */
    int32_t m, kh, s16, co;   /* bytes 24-36: tinycc_cols_5x1_v6m's ReLU tail's W, 2^14 + 2^(15+s) (its
                               own), 16 + s, co */
    int8_t *o;              /* byte 40: its first output */
    int32_t skip;           /* byte 44: tinycc_cols_5x1_v6m's entry, TINYCC_COLS_V6M_SKIP(g) */
} tinycc_cols5_v6m;

/* the groups a pass of tinycc_cols_5x1_v6m's unrolled loop, and the bytes of code its first pass skips so
 * that it takes g mod TINYCC_COLS_V6M_U groups (all U when g is a multiple): a group 4 taps of 12 two-byte
 * instructions */
#define TINYCC_COLS_V6M_U 16
#define TINYCC_COLS_V6M_SKIP(g) (96 * ((TINYCC_COLS_V6M_U - (g) % TINYCC_COLS_V6M_U) % TINYCC_COLS_V6M_U))

/* acc->a[0..4] = kb + pixels 0..4 of one channel over g >= 1 groups of the column x (g groups up to
 * acc->end): w at the channel's first filter word of a packed pair. Registers: column pointer r0, the
 * filter base r1, the offset then weight r2, the taps r3-r7 (r7, the frame pointer where there is one,
 * pushed and popped with acc: nothing in the loop addresses the frame), the accumulators r8-r12 (set
 * from kb, stored to acc by one STM at the end), the column's end lr. Always inlined (a call cost 23
 * instructions). */
/* the ReLU tail (relu: out_zp = act_min = -128, act_max 127, five pixels, the channel's s <= 15): each
 * accumulator a from its high register requantised and stored as tinycc_cols_rq, the context at acc (r0)
 * and the output pointer r1, co in lr, with no store of the sums and no loop. A positive a below 2^16
 * (LSRS #16 leaves 0) takes the short exact form below (18 instructions with its operands in registers,
 * loaded once for the five; 32 before), a larger one the 16-bit halves of tinycc_cols_relu5_v6m (44), one
 * <= 0 stores -128 (6).
 *
 * The short form. tinycc_cols_rq with U = W as unsigned (2^31 <= U < 2^32: W = 2M - 2^32 with its low
 * bits s ^ key) has x = a + floor((a W + 2^31) / 2^32) = floor((a U + 2^31) / 2^32) >= 0 for a > 0,
 * then ((x + (2 z + 1) 2^s) >> s) >> 1 = floor((x + 2^s) / 2^(s+1)) + z (z = -128: 256 2^s is a
 * multiple of 2^(s+1)). For integers c and d > 0, floor((floor(y) + c) / d) = floor((y + c) / d), so
 *   out - z = floor((a U + K) / 2^(33+s)),  K = 2^31 + 2^(32+s),
 * and with U = uh 2^16 + ul (both < 2^16) and K a multiple of 2^17:
 *   floor((a U + K) / 2^16) = t + K / 2^16,  t = a uh + ((a ul) >> 16),
 *   out - z = ((t >> 1) + kh) >> (16 + s),  kh = K / 2^17 = 2^14 + 2^(15+s).
 * For 0 < a < 2^16: a ul, a uh <= (2^16 - 1)^2 and t <= 2^32 - 2^16 - 1 fit 32 unsigned bits, t >> 1 <
 * 2^31, and the sum with kh < 2^31 + 2^14 + 2^30 (s <= 15) too. The long form adds 2^s = kh >> 15 to x
 * (x + 2^s < 2^31: the emitter bounds |x| + |h| with |h| = 255 2^s), shifts by s + 1 = (16 + s) - 15
 * and subtracts 128. */
/* the short form's operands: ul r4, uh r5, kh r6, 16 + s r7 (for the five; the long form loads them again
 * after it) */
#define TINYCC_COLS_V6M_RELU_LOAD \
        "ldr r3, [r0, #24]\n\t" "uxth r4, r3\n\t" "lsrs r5, r3, #16\n\t" "ldr r6, [r0, #28]\n\t" \
        "ldr r7, [r0, #32]\n\t"
#define TINYCC_COLS_V6M_RELU1(R) \
        "mov r2, " R "\n\t" "cmp r2, #0\n\t" "ble 7f\n\t" \
        "lsrs r3, r2, #16\n\t" "bne 9f\n\t" \
        "movs r3, r4\n\t" "muls r3, r2, r3\n\t" "lsrs r3, r3, #16\n\t" \
        "muls r2, r5, r2\n\t" "adds r2, r2, r3\n\t" "lsrs r2, r2, #1\n\t" "adds r2, r2, r6\n\t" \
        "lsrs r2, r2, r7\n\t" "subs r2, #128\n" \
        "6:\n\t" "cmp r2, #127\n\t" "ble 8f\n\t" "movs r2, #127\n\t" "b 8f\n" \
        "9:\n\t" \
        "ldr r7, [r0, #24]\n\t" \
        "movs r3, r2\n\t" "uxth r4, r3\n\t" "asrs r3, r3, #16\n\t" "uxth r5, r7\n\t" \
        "asrs r7, r7, #16\n\t" "movs r6, r4\n\t" "muls r6, r5, r6\n\t" "muls r5, r3, r5\n\t" \
        "muls r4, r7, r4\n\t" "muls r7, r3, r7\n\t" "lsrs r6, r6, #16\n\t" "adds r5, r5, r6\n\t" \
        "uxth r6, r5\n\t" "adds r4, r4, r6\n\t" "asrs r5, r5, #16\n\t" "adds r7, r7, r5\n\t" \
        "asrs r6, r4, #16\n\t" "adds r7, r7, r6\n\t" \
        "lsls r4, r4, #17\n\t" "adcs r7, r7, r2\n\t" \
        "ldr r3, [r0, #28]\n\t" "lsrs r3, r3, #15\n\t" "adds r7, r7, r3\n\t" \
        "ldr r3, [r0, #32]\n\t" "subs r3, #15\n\t" "asrs r7, r7, r3\n\t" "subs r7, #128\n\t" "movs r2, r7\n\t" \
        TINYCC_COLS_V6M_RELU_LOAD "b 6b\n" \
        "7:\n\t" "movs r2, #128\n" \
        "8:\n\t" "strb r2, [r1]\n\t" "add r1, lr\n\t"
#define TINYCC_COLS_V6M_TAIL_STORE \
        "pop {r2}\n\t" \
        "mov r3, r8\n\t" "mov r4, r9\n\t" "mov r5, r10\n\t" "mov r6, r11\n\t" "mov r7, r12\n\t" \
        "stmia r2!, {r3, r4, r5, r6, r7}\n\t"
/* kh = 2^14 + 2^(15+s) made here from 16 + s and stored for the long form (the C took 11 instructions) */
#define TINYCC_COLS_V6M_TAIL_RELU \
        "pop {r0}\n\t" "ldr r1, [r0, #40]\n\t" "ldr r3, [r0, #36]\n\t" "mov lr, r3\n\t"   /* co: the loop's end is spent */ \
        "ldr r7, [r0, #32]\n\t" "movs r6, #1\n\t" "lsls r6, r6, r7\n\t" "lsrs r6, r6, #1\n\t" \
        "movs r3, #128\n\t" "lsls r3, r3, #7\n\t" "adds r6, r6, r3\n\t" "str r6, [r0, #28]\n\t" \
        "ldr r3, [r0, #24]\n\t" "uxth r4, r3\n\t" "lsrs r5, r3, #16\n\t" \
        TINYCC_COLS_V6M_RELU1("r8") TINYCC_COLS_V6M_RELU1("r9") TINYCC_COLS_V6M_RELU1("r10") \
        TINYCC_COLS_V6M_RELU1("r11") TINYCC_COLS_V6M_RELU1("r12")
static inline __attribute__((always_inline)) void tinycc_cols_5x1_v6m(const int32_t *x, const int32_t *w, int g,
                                                                     int32_t kb, tinycc_cols5_v6m *acc, int relu) {
    register const int32_t *xr __asm__("r0") = x;
    register const int32_t *wr __asm__("r1") = w;
    register int gr __asm__("r2") = g;
    register tinycc_cols5_v6m *ar __asm__("r3") = acc;
    register int32_t kr __asm__("r4") = kb;
#define TINYCC_COLS_V6M_TAP5 \
        "ldmia r0!, {r2, r3, r4, r5, r6, r7}\n\t" \
        "ldrsb r2, [r1, r2]\n\t" \
        "muls r3, r2, r3\n\t" \
        "add r8, r3\n\t" \
        "muls r4, r2, r4\n\t" \
        "add r9, r4\n\t" \
        "muls r5, r2, r5\n\t" \
        "add r10, r5\n\t" \
        "muls r6, r2, r6\n\t" \
        "add r11, r6\n\t" \
        "muls r7, r2, r7\n\t" \
        "add r12, r7\n\t"
#define TINYCC_COLS_V6M_GROUP5 TINYCC_COLS_V6M_TAP5 TINYCC_COLS_V6M_TAP5 TINYCC_COLS_V6M_TAP5 TINYCC_COLS_V6M_TAP5
#define TINYCC_COLS_V6M_GROUP5x4 TINYCC_COLS_V6M_GROUP5 TINYCC_COLS_V6M_GROUP5 TINYCC_COLS_V6M_GROUP5 \
        TINYCC_COLS_V6M_GROUP5
#define TINYCC_COLS_V6M_ASM5(TAIL) \
    __asm__ volatile(   /* the first pass entered past acc->skip bytes of the 16 groups (ADD PC: the PC \
                         * reads 4 past it, the NOP never runs), then 16 a pass (B: past BNE's range) */ \
        ".syntax unified\n\t" \
        "push {r3, r7}\n\t" \
        "mov r8, r4\n\t" "mov r9, r4\n\t" "mov r10, r4\n\t" "mov r11, r4\n\t" "mov r12, r4\n\t" \
        "ldr r4, [r3, #20]\n\t" \
        "mov lr, r4\n\t"            /* the end: x + 96 g bytes */ \
        "ldr r2, [r3, #44]\n\t" \
        "add pc, r2\n\t" \
        "nop\n" \
        "2:\n\t" \
        TINYCC_COLS_V6M_GROUP5x4 TINYCC_COLS_V6M_GROUP5x4 TINYCC_COLS_V6M_GROUP5x4 TINYCC_COLS_V6M_GROUP5x4 \
        "cmp r0, lr\n\t" \
        "beq 3f\n\t" \
        "b 2b\n" \
        "3:\n\t" \
        TAIL \
        "pop {r7}\n\t" \
        : "+l"(xr), "+l"(wr), "+l"(gr), "+l"(ar), "+l"(kr) \
        : \
        : "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory")
    if (relu) TINYCC_COLS_V6M_ASM5(TINYCC_COLS_V6M_TAIL_RELU);
    else TINYCC_COLS_V6M_ASM5(TINYCC_COLS_V6M_TAIL_STORE);
#undef TINYCC_COLS_V6M_ASM5
#undef TINYCC_COLS_V6M_GROUP5x4
#undef TINYCC_COLS_V6M_GROUP5
#undef TINYCC_COLS_V6M_TAP5
}
#undef TINYCC_COLS_V6M_TAIL_RELU
#undef TINYCC_COLS_V6M_TAIL_STORE
#undef TINYCC_COLS_V6M_RELU1
#undef TINYCC_COLS_V6M_RELU_LOAD

/* tinycc_cols_store5_v6m's loop in assembly for a ReLU with out_zp = act_min = -128 and act_max = 127: an
 * accumulator <= 0 stores -128 (8 instructions); else tinycc_cols_rq of a positive acc, whose x is then
 * >= 0: (x + h) >> (s + 1), clamped to 127 (34; GCC's code of the C took 42). r0 at the accumulators, r1
 * at the outputs, r2 at the context: W, h = zp2 << s, s + 1, co, the accumulators' end; the high product
 * as tinycc_srdhm_v6m's (common/mulhs_v6m.h's steps with the registers named: acc r2, a r3, al r4, bl r5,
 * t r6, b r7; r7 pushed and popped, as tinycc_cols_5x1_v6m's) */
static inline __attribute__((always_inline)) void tinycc_cols_relu5_v6m(const int32_t *acc, int8_t *o,
                                                                       const int32_t *ctx) {
    register const int32_t *a_ __asm__("r0") = acc;
    register int8_t *o_ __asm__("r1") = o;
    register const int32_t *c_ __asm__("r2") = ctx;
    __asm__ volatile(".syntax unified\n\t"
                     "push {r7}\n\t"
                     "ldr r3, [r2, #0]\n\t" "mov r8, r3\n\t" "ldr r3, [r2, #4]\n\t" "mov r9, r3\n\t"
                     "ldr r3, [r2, #8]\n\t" "mov r10, r3\n\t" "ldr r3, [r2, #12]\n\t" "mov r11, r3\n\t"
                     "ldr r3, [r2, #16]\n\t" "mov r12, r3\n"
                     "1:\n\t"
                     "ldmia r0!, {r2}\n\t"
                     "cmp r2, #0\n\t"
                     "ble 5f\n\t"
                     "mov r7, r8\n\t"
                     "movs r3, r2\n\t" "uxth r4, r3\n\t" "asrs r3, r3, #16\n\t" "uxth r5, r7\n\t"
                     "asrs r7, r7, #16\n\t" "movs r6, r4\n\t" "muls r6, r5, r6\n\t" "muls r5, r3, r5\n\t"
                     "muls r4, r7, r4\n\t" "muls r7, r3, r7\n\t" "lsrs r6, r6, #16\n\t" "adds r5, r5, r6\n\t"
                     "uxth r6, r5\n\t" "adds r4, r4, r6\n\t" "asrs r5, r5, #16\n\t" "adds r7, r7, r5\n\t"
                     "asrs r6, r4, #16\n\t" "adds r7, r7, r6\n\t"
                     "lsls r4, r4, #17\n\t"
                     "adcs r7, r7, r2\n\t"     /* x: SRDHM(acc, M) */
                     "add r7, r9\n\t"
                     "mov r3, r10\n\t"
                     "asrs r7, r7, r3\n\t"
                     "cmp r7, #127\n\t" "ble 4f\n\t" "movs r7, #127\n"
                     "4:\n\t"
                     "strb r7, [r1]\n\t" "add r1, r11\n\t" "cmp r0, r12\n\t" "bne 1b\n\t"
                     "b 6f\n"
                     "5:\n\t"
                     "movs r7, #128\n\t"
                     "strb r7, [r1]\n\t" "add r1, r11\n\t" "cmp r0, r12\n\t" "bne 1b\n"
                     "6:\n\t"
                     "pop {r7}"
                     : "+l"(a_), "+l"(o_), "+l"(c_)
                     :
                     : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
}

/* the np (1 to 5) pixels' requantised outputs of one channel at o, o + co, ... (m: its word W, zp2 the
 * layer's 2 out_zp + 1, key its shift key) */
static inline __attribute__((always_inline)) void tinycc_cols_store5_v6m(const int32_t *acc, int np, int32_t m,
                                                                        int32_t zp2, int32_t key, int8_t *o, int co,
                                                                        int32_t act_min, int32_t act_max) {
    int p;
    if (zp2 == -255 && act_min == -128 && act_max == 127) {
        const int s = (m ^ (TINYCC_COLS_KEY ? key : 0)) & 31;
        int32_t ctx[5];
        ctx[0] = m, ctx[1] = (int32_t)((uint32_t)zp2 << s), ctx[2] = s + 1, ctx[3] = co;
        ctx[4] = (int32_t)(intptr_t)(acc + np);
        tinycc_cols_relu5_v6m(acc, o, ctx);
        return;
    }
    if (zp2 >> 1 <= act_min) {
        /* the output zero point (zp2 >> 1) at most act_min (a ReLU): an accumulator
         * <= 0 requantises to at most z (SRDHM with M > 0 and the rounding shift keep a value <= 0 at
         * most 0), which the clamp takes to act_min, without the 64-bit multiply */
        for (p = 0; p < np; ++p, o += co)
            *o = (int8_t)(acc[p] <= 0 ? act_min : tinycc_clamp(tinycc_cols_rq(acc[p], m, zp2, key), act_min, act_max));
        return;
    }
    for (p = 0; p < np; ++p, o += co) *o = (int8_t)tinycc_clamp(tinycc_cols_rq(acc[p], m, zp2, key), act_min, act_max);
}

/* every output channel of the np (1 to 5) pixels in the five-pixel column (g groups): outputs at o,
 * o + co, ..., the packed words of tinycc_cols_block */
static inline void tinycc_cols_block5_v6m(const tinycc_conv_shape *s, const int32_t *col, int np, int g,
                                          const int32_t *wpk, int8_t *o, int32_t act_min, int32_t act_max) {
    const int co = s->co;
    const int32_t zp2 = wpk[0], key = wpk[1], *w = wpk + 2;
    int8_t *op = o, *const end = o + (co & ~1);
    tinycc_cols5_v6m c5;
    int32_t *const acc = c5.a;
    int p;
    c5.end = col + 4 * TINYCC_COLS_V6M_S * g;
    c5.skip = TINYCC_COLS_V6M_SKIP(g);
    c5.co = co;
    if (np == TINYCC_COLS_V6M_NP && zp2 == -255 && act_min == -128 && act_max == 127) {   /* the ReLU tail */
        for (; op != end; op += 2) {
            const int32_t *const q = w + 2 + 2 * g;
            const int sh0 = (q[0] ^ (TINYCC_COLS_KEY ? key : 0)) & 31, sh1 = (q[1] ^ (TINYCC_COLS_KEY ? key : 0)) & 31;
            if (sh0 > 15 || sh1 > 15) break;   /* past the tail's bound: the loop below takes the rest */
            c5.m = q[0], c5.s16 = 16 + sh0, c5.o = op;
            tinycc_cols_5x1_v6m(col, w + 2, g, w[0], &c5, 1);
            c5.m = q[1], c5.s16 = 16 + sh1, c5.o = op + 1;
            tinycc_cols_5x1_v6m(col, w + 3, g, w[1], &c5, 1);
            w = q + 2;
        }
    }
    for (; op != end; op += 2) {   /* a pair: {kb0, kb1}, 2 g words, {W0, W1} */
        const int32_t *const q = w + 2 + 2 * g;
        tinycc_cols_5x1_v6m(col, w + 2, g, w[0], &c5, 0);
        tinycc_cols_store5_v6m(acc, np, q[0], zp2, key, op, co, act_min, act_max);
        tinycc_cols_5x1_v6m(col, w + 3, g, w[1], &c5, 0);
        tinycc_cols_store5_v6m(acc, np, q[1], zp2, key, op + 1, co, act_min, act_max);
        w = q + 2;
    }
    if (co & 1) {   /* the odd last channel: {kb}, g words, {W} */
        const int8_t *f = (const int8_t *)(const void *)(w + 1);
        int k;
        for (p = 0; p < TINYCC_COLS_V6M_NP; ++p) acc[p] = w[0];
        for (k = 0; k < 4 * g; ++k)     /* byte k of the channel's words is its tap k (little-endian) */
            for (p = 0; p < TINYCC_COLS_V6M_NP; ++p) acc[p] += (int32_t)f[k] * col[TINYCC_COLS_V6M_S * k + 1 + p];
        tinycc_cols_store5_v6m(acc, np, w[1 + g], zp2, key, op, co, act_min, act_max);
    }
}

/* tinycc_conv_2d_s8_cols_pw on ARMv6-M (same arguments and pass order), the paired column in col (the
 * caller's column buffer: 12 ci <= TINYCC_CONV_COLS_BYTES) */
static inline void tinycc_conv_2d_s8_cols_pw_v6m(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                                 int8_t *out, int backward, int32_t *col, int32_t act_min,
                                                 int32_t act_max) {
    const long count = (long)s->n * s->h * s->w;
    long k;
    if (4 * TINYCC_COLS_V6M_S * s->ci <= TINYCC_CONV_COLS_BYTES) {   /* five pixels a pass */
        tinycc_cols_offsets_v6m(col, s->ci);
        for (k = 0; k < count; k += TINYCC_COLS_V6M_NP) {
            const int np = count - k < TINYCC_COLS_V6M_NP ? (int)(count - k) : TINYCC_COLS_V6M_NP;
            const long i = backward ? count - k - np : k;   /* the pass's first pixel */
            int p, j;
            for (p = 0; p < TINYCC_COLS_V6M_NP; ++p) {
                const int8_t *x = in + (i + p) * s->ci;
                int32_t *d = col + 1 + p;
                if (p >= np) {
                    for (j = 0; j < s->ci; ++j, d += TINYCC_COLS_V6M_S) *d = 0;
                } else if (!((uintptr_t)x & 3u) && TINYCC_COLS_V6M_LE) {   /* four taps a word (ci: a multiple of 4) */
                    for (j = 0; j < s->ci; j += 4, d += 4 * TINYCC_COLS_V6M_S) {
                        const uint32_t v = *(const tinycc_word_v6m *)(const void *)(x + j);
                        d[0] = (int8_t)v;
                        d[TINYCC_COLS_V6M_S] = (int32_t)(v << 16) >> 24;
                        d[2 * TINYCC_COLS_V6M_S] = (int32_t)(v << 8) >> 24;
                        d[3 * TINYCC_COLS_V6M_S] = (int32_t)v >> 24;
                    }
                } else {
                    for (j = 0; j < s->ci; ++j, d += TINYCC_COLS_V6M_S) *d = x[j];
                }
            }
            tinycc_cols_block5_v6m(s, col, np, s->ci / 4, wpk, out + i * s->co, act_min, act_max);
        }
        return;
    }
    for (k = 0; k < count; k += 2) {
        const int np = k + 1 < count ? 2 : 1;
        const long i = backward ? count - k - np : k;   /* the pass's first pixel */
        tinycc_cols_widen_v6m(col, 0, in + i * s->ci, s->ci);
        if (np == 2) {
            tinycc_cols_widen_v6m(col, 1, in + (i + 1) * s->ci, s->ci);
        } else {
            int j;
            for (j = 0; j < s->ci; ++j) col[3 * j + 1] = 0;
        }
        tinycc_cols_block_v6m(s, col, np, s->ci / 4, wpk, out + i * s->co, act_min, act_max);
    }
}

/* tinycc_conv_2d_s8_cols on ARMv6-M when five pixels' columns of k4 int32 taps fit the column buffer
 * (24 k4 <= TINYCC_CONV_COLS_BYTES): pixels five a pass in output order across rows and images, each
 * column built tap by tap from the input (taps outside it at the input zero point, as the int16 path's
 * patch; zeros from k up to k4, where the packed filter is zero), then tinycc_cols_block5_v6m */
static inline void tinycc_conv_2d_s8_cols_v6m(const tinycc_conv_shape *s, const int8_t *in, const int32_t *wpk,
                                              int8_t *out, int32_t in_zp, int32_t act_min, int32_t act_max) {
    tinycc_cols c;
    int32_t *const col = c.w;
    const int k = s->kh * s->kw * s->ci, k4 = (k + 3) & ~3;
    const long count = (long)s->n * s->oh * s->ow;
    long q;
    int b = 0, oy = 0, ox = 0;   /* the next pixel's */
    tinycc_cols_offsets_v6m(col, k4);
    for (q = 0; q < count; q += TINYCC_COLS_V6M_NP) {
        const int np = count - q < TINYCC_COLS_V6M_NP ? (int)(count - q) : TINYCC_COLS_V6M_NP;
        int p, t, ky, ci;
        for (p = 0; p < TINYCC_COLS_V6M_NP; ++p) {
            int32_t *d = col + 1 + p;
            t = 0;
            if (p < np) {
                const int iy0 = oy * s->sh - s->pad_t, ix0 = ox * s->sw - s->pad_l;
                /* a window row's taps: kx0 * ci of padding, the inside run (one contiguous stretch of
                 * the input row), the rest padding; rows outside the input all padding */
                const int kx0 = ix0 < 0 ? (-ix0 < s->kw ? -ix0 : s->kw) : 0;
                const int kx1r = s->w - ix0 < s->kw ? s->w - ix0 : s->kw, kx1 = kx1r > kx0 ? kx1r : kx0;
                const int n0 = kx0 * s->ci, n1 = kx1 * s->ci, nw = s->kw * s->ci;
                for (ky = 0; ky < s->kh; ++ky) {
                    const int iy = iy0 + ky;
                    if (iy < 0 || iy >= s->h) {
                        for (ci = 0; ci < nw; ++ci, d += TINYCC_COLS_V6M_S) *d = in_zp;
                        continue;
                    }
                    for (ci = 0; ci < n0; ++ci, d += TINYCC_COLS_V6M_S) *d = in_zp;
                    if (n1 > n0) {
                        const int8_t *x = in + (((long)b * s->h + iy) * s->w + ix0 + kx0) * s->ci;
                        for (ci = 0; ci < n1 - n0; ++ci, d += TINYCC_COLS_V6M_S) *d = x[ci];
                    }
                    for (ci = n1; ci < nw; ++ci, d += TINYCC_COLS_V6M_S) *d = in_zp;
                }
                t = k;
                if (++ox == s->ow) {
                    ox = 0;
                    if (++oy == s->oh) oy = 0, ++b;
                }
            }
            for (; t < k4; ++t, d += TINYCC_COLS_V6M_S) *d = 0;
        }
        tinycc_cols_block5_v6m(s, col, np, k4 / 4, wpk, out + q * s->co, act_min, act_max);
    }
}
#endif

/* ARMv6-M (Cortex-M0/M0+) has no 32x32 -> 64 multiply (GCC calls __aeabi_lmul for an int64 product):
 * the high word of acc m from 16-bit halves in 18 16-bit Thumb instructions, Hacker's Delight's mulhs
 * (four MULS, every partial sum within int32). acc m = (ah bh + t_hi) 2^32 + u 2^16 + ll_lo with
 * ll = al bl, t = ah bl + ll_hi and u = al bh + t_lo. TINYCC_MULHS_V6M_ASM is the text of an asm
 * statement's start, so that each requantisation finishes the low-word carry its own way (SRDHM's
 * rounding bit, conv_2d_cols.h's tinycc_srdhm_v6m; a constant and an addend, dot_s8.h's
 * tinycc_mulhi_k_v6m) with the registers it names: in "l" (low) operands [acc], and [b] = m on entry;
 * on exit [b] = ah bh + t_hi + u_hi and [al] = u, [a], [bl] and [t] scratch (earlyclobber outputs). */
/* TINYCC_V6M_ASM: ARMv6-M's hand-written Thumb paths (here and in every kernel after this unit: dot_s8.h,
 * conv_2d_cols.h, depthwise_conv_2d_fast_taps.h, fully_connected_w4.h, pooling_fast.h, ...; dot_s8.h's switch
 * is the DSP cores' twin) compile in an optimised build (they need its register allocation) that does not
 * define TINYCC_NO_ASM */
#if defined(__ARM_ARCH_6M__) && defined(__OPTIMIZE__) && !defined(TINYCC_NO_ASM)
#define TINYCC_V6M_ASM 1
#endif
#ifdef TINYCC_V6M_ASM
#define TINYCC_MULHS_V6M_ASM \
    ".syntax unified\n\t" \
    "movs %[a], %[acc]\n\t" \
    "uxth %[al], %[a]\n\t" \
    "asrs %[a], %[a], #16\n\t" \
    "uxth %[bl], %[b]\n\t" \
    "asrs %[b], %[b], #16\n\t" \
    "movs %[t], %[al]\n\t" \
    "muls %[t], %[bl], %[t]\n\t"      /* ll = al bl */ \
    "muls %[bl], %[a], %[bl]\n\t"     /* ah bl */ \
    "muls %[al], %[b], %[al]\n\t"     /* al bh */ \
    "muls %[b], %[a], %[b]\n\t"       /* ah bh */ \
    "lsrs %[t], %[t], #16\n\t" \
    "adds %[bl], %[bl], %[t]\n\t"     /* t = ah bl + ll_hi */ \
    "uxth %[t], %[bl]\n\t" \
    "adds %[al], %[al], %[t]\n\t"     /* u = al bh + t_lo */ \
    "asrs %[bl], %[bl], #16\n\t" \
    "adds %[b], %[b], %[bl]\n\t" \
    "asrs %[t], %[al], #16\n\t" \
    "adds %[b], %[b], %[t]\n\t"       /* ah bh + t_hi + u_hi */
#endif

/* TINYCC_VEC: which shape the plain-C int8 kernels (those a core without the DSP extension runs) take.
 * 1: fixed-trip loops over 8 or 16 contiguous bytes with arrays of accumulators, the shape compilers
 * vectorise at -O2 (GCC 12's very-cheap cost model included) where the core has a vector unit the
 * compiler targets; 0: the scalar shape (word-wide loads, four accumulators in registers), which a core
 * without one runs faster (the vector shape's 16 or 32 accumulators spill: a Cortex-M3 took 1.5 to 1.9
 * times the instructions). The same C either way, and the same sums (TFLM's, bit for bit); the default
 * comes from the compiler's predefined macros for a vector unit (and GCC's version: it vectorises at
 * -O2 from 12, for RISC-V V from 14), and -DTINYCC_VEC=0 or 1 overrides it. */
#ifndef TINYCC_VEC
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 12
#define TINYCC_VEC 0
#elif defined(__riscv_vector) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 14
#define TINYCC_VEC 0
#elif defined(__SSE2__) || defined(__ARM_NEON) || defined(__ARM_NEON__) || defined(__riscv_vector) || \
    defined(__wasm_simd128__) || defined(__ALTIVEC__) || defined(__VSX__) || defined(__mips_msa) || \
    defined(__loongarch_sx)
#define TINYCC_VEC 1
#else
#define TINYCC_VEC 0
#endif
#endif

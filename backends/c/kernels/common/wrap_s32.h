/* Two's-complement wrap of an integer to int32 without an implementation-defined conversion (the
 * int32 sums and products TF Lite Micro's kernels let wrap). */
static inline int32_t tinycc_wrap_s32(int64_t v) {
    const uint32_t u = (uint32_t)(uint64_t)v;
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 2147483648u) - INT32_MAX - 1;
}

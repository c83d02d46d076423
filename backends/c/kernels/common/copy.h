/* Bulk byte copies and fills for the kernels (included in every generated model, before the kernels). */
#include <string.h>

/* n bytes from src to dst, sixteen a turn in words: the C library's memcpy may copy byte by byte
 * (picolibc's and newlib-nano's, built for size: 4-5 instructions a byte on a Cortex-M4). Word
 * accesses through memcpy of 4 bytes: one LDR / STR where the core takes unaligned words, byte
 * accesses where it does not (Cortex-M0); kernels assume only element alignment. No overlap, or dst
 * below src (a move toward lower addresses, svdf_fast.h's state shift): each turn reads its words
 * before it writes, and a write reaches only bytes read already. */
static inline void tinycc_copy_bytes(int8_t *dst, const int8_t *src, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        uint32_t a, b, c, d;
        memcpy(&a, src + i, 4); memcpy(&b, src + i + 4, 4); memcpy(&c, src + i + 8, 4); memcpy(&d, src + i + 12, 4);
        memcpy(dst + i, &a, 4); memcpy(dst + i + 4, &b, 4); memcpy(dst + i + 8, &c, 4); memcpy(dst + i + 12, &d, 4);
    }
    for (; i + 4 <= n; i += 4) {
        uint32_t a;
        memcpy(&a, src + i, 4);
        memcpy(dst + i, &a, 4);
    }
    for (; i < n; ++i) dst[i] = src[i];
}

/* n bytes at dst set to the byte `value`, the same way (the C library's memset goes a byte at a time
 * too; four word stores a turn also keep the compiler from turning the loop back into a memset call). */
static inline void tinycc_fill_bytes(int8_t *dst, int value, long n) {
    const uint32_t w = (uint32_t)(uint8_t)value * 0x01010101u;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        memcpy(dst + i, &w, 4); memcpy(dst + i + 4, &w, 4); memcpy(dst + i + 8, &w, 4); memcpy(dst + i + 12, &w, 4);
    }
    for (; i + 4 <= n; i += 4) memcpy(dst + i, &w, 4);
    for (; i < n; ++i) dst[i] = (int8_t)value;
}

/* n zero bytes at dst (tinycc_fill_bytes with 0) */
static inline void tinycc_zero_bytes(int8_t *dst, long n) {
    tinycc_fill_bytes(dst, 0, n);
}

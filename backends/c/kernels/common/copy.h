/* Bulk byte copies and fills for the kernels (included in every generated model, before the kernels). */
#include <string.h>

/* n bytes from src to dst, sixteen a turn in words: the C library's memcpy may copy byte by byte
 * (picolibc's and newlib-nano's, built for size: 4-5 instructions a byte on a Cortex-M4). Word
 * accesses through memcpy of 4 bytes: one LDR / STR where the core takes unaligned words, byte
 * accesses where it does not (Cortex-M0); kernels assume only element alignment. No overlap, or dst
 * below src (a move toward lower addresses, svdf_fast.h's state shift): each turn reads its words
 * before it writes, and a write reaches only bytes read already. */
#if defined(__ARM_ARCH_6M__) && defined(__GNUC__)
/* ARMv6-M (Cortex-M0/M0+) has no unaligned LDR / STR: a memcpy of 4 bytes to or from an address not
 * known aligned is a library call there. The copies and fills go by words through a may_alias word
 * type when both addresses are word-aligned (after a byte prologue when they are equally misaligned),
 * byte by byte otherwise. */
#define TINYCC_COPY_V6M 1
typedef uint32_t tinycc_word_v6m __attribute__((may_alias));
/* bytes up to the first word boundary of dst, then whole words, then the tail; src and dst equally
 * misaligned (else the bytes) */
static inline void tinycc_copy_bytes_v6m(int8_t *dst, const int8_t *src, long n) {
    long i = 0;
    if (!((((uintptr_t)dst ^ (uintptr_t)src) & 3u))) {
        for (; i < n && ((uintptr_t)(dst + i) & 3u); ++i) dst[i] = src[i];
        {
            tinycc_word_v6m *d = (tinycc_word_v6m *)(void *)(dst + i);
            const tinycc_word_v6m *q = (const tinycc_word_v6m *)(const void *)(src + i);
            for (; i + 16 <= n; i += 16, d += 4, q += 4) {
                const uint32_t a = q[0], b = q[1], c = q[2], e = q[3];
                d[0] = a, d[1] = b, d[2] = c, d[3] = e;
            }
            for (; i + 4 <= n; i += 4) *d++ = *q++;
        }
    }
    for (; i < n; ++i) dst[i] = src[i];
}
static inline void tinycc_fill_bytes_v6m(int8_t *dst, uint32_t w, long n) {
    long i = 0;
    tinycc_word_v6m *d;
    for (; i < n && ((uintptr_t)(dst + i) & 3u); ++i) dst[i] = (int8_t)w;
    d = (tinycc_word_v6m *)(void *)(dst + i);
    for (; i + 16 <= n; i += 16, d += 4) d[0] = d[1] = d[2] = d[3] = w;
    for (; i + 4 <= n; i += 4) *d++ = w;
    for (; i < n; ++i) dst[i] = (int8_t)w;
}
#endif

static inline void tinycc_copy_bytes(int8_t *dst, const int8_t *src, long n) {
    long i = 0;
#ifdef TINYCC_COPY_V6M
    tinycc_copy_bytes_v6m(dst, src, n);
    return;
#endif
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
#ifdef TINYCC_COPY_V6M
    tinycc_fill_bytes_v6m(dst, w, n);
    return;
#endif
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

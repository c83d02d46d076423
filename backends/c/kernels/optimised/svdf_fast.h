/* Fast int8 SVDF (after dot_s8.h, fully_connected.h and svdf.h): the same values as tinycc_svdf_s8_s16 /
 * tinycc_svdf_s8_s8, TF Lite Micro's reference (svdf_common.cc), in fewer instructions.
 * - The state shifts one element toward the past as ONE move over batch x filters x memory elements,
 *   as TFLM's memmove does (the slot that receives the next filter's oldest value is the newest one,
 *   written next), with copy.h's tinycc_copy_bytes (sixteen bytes a turn in words: the C library's
 *   memmove goes byte by byte; a move toward lower addresses is safe there).
 * - The feature projection is fully_connected.h's four-filter SMLAD blocks over the weights
 *   interleaved at compile time (`wf4`), the input zero point folded into `kf` = -input_zp x the
 *   row sums (padded with zeros to a multiple of four filters).
 * - The time projection multiplies the raw state by the time weights two int16 pairs per SMLAD (int8
 *   state: dot_s8.h's SXTB16 pairs); the state zero point and the bias are folded into `kb` =
 *   bias - state_zp x the sum of each unit's `rank` weight rows.
 * - Both rescalings read `rq`: per rescaling (M, h, r - 1) for a right shift 2 <= r <= 23, fully_connected.h's
 *   tinycc_fc_mul (one multiply-add and one shift, the zero point inside h), else (M, shift, 0), tinycc_mbqm;
 *   the feature's first (zero point 0: the state's is added after the clamp, as TFLM does), the output's second.
 * Every sum here is taken modulo 2^32 (SMLAD wraps, the portable loops add in uint32), as TFLM's int32
 * sums wrap, so folding the zero points changes no bit; the emitter keeps the plain kernel when the
 * feature sums of the portable fully_connected.h loops could leave int32 (requant.sums_fit_int32). */

/* acc + sum w[i] * s[i], i < n, modulo 2^32 (int16 x int16: two products per SMLAD) */
static inline uint32_t tinycc_svdf_dot_s16(const int16_t *w, const int16_t *s, int32_t n, uint32_t acc) {
    int32_t i = 0;
#ifdef TINYCC_DSP
    int32_t a = (int32_t)acc;
    for (; i + 4 <= n; i += 4) {
        int32_t w0, w1, s0, s1;
        memcpy(&w0, w + i, 4); memcpy(&w1, w + i + 2, 4);
        memcpy(&s0, s + i, 4); memcpy(&s1, s + i + 2, 4);
        a = __smlad(w0, s0, a);
        a = __smlad(w1, s1, a);
    }
    for (; i + 2 <= n; i += 2) {
        int32_t w0, s0;
        memcpy(&w0, w + i, 4); memcpy(&s0, s + i, 4);
        a = __smlad(w0, s0, a);
    }
    acc = (uint32_t)a;
#endif
    for (; i < n; ++i) acc += (uint32_t)((int32_t)w[i] * s[i]);
    return acc;
}

/* acc + sum w[i] * s[i], i < n, modulo 2^32 (int8 x int8: SXTB16 pairs, two SMLADs a word) */
static inline uint32_t tinycc_svdf_dot_s8(const int8_t *w, const int8_t *s, int32_t n, uint32_t acc) {
    int32_t i = 0;
#ifdef TINYCC_DSP
    int32_t a = (int32_t)acc;
    for (; i + 4 <= n; i += 4) {
        const int32_t x = tinycc_ld4(s + i), f = tinycc_ld4(w + i);
        a = __smlad(__sxtb16(x), __sxtb16(f), a);
        a = __smlad(__sxtb16(tinycc_ror8(x)), __sxtb16(tinycc_ror8(f)), a);
    }
    acc = (uint32_t)a;
#endif
    for (; i < n; ++i) acc += (uint32_t)((int32_t)w[i] * s[i]);
    return acc;
}

/* MultiplyByQuantizedMultiplier(acc, M, shift) + zp through the words rq (see above) */
static inline int32_t tinycc_svdf_rescale(int32_t acc, const int32_t *rq, int32_t zp) {
    return rq[2] > 0 ? tinycc_fc_mul(acc, rq[0], rq[1], rq[2]) : tinycc_wadd(tinycc_mbqm(acc, rq[0], rq[1]), zp);
}

#define TINYCC_SVDF_S8_FAST(SUFFIX, STYPE, BITS, LO, HI, DOT)                                               \
TINYCC_FC_OUTLINED void tinycc_svdf_##SUFFIX##_fast(const int8_t *x, const int32_t *wf4, const int32_t *kf,      \
                                        const STYPE *wt, const int32_t *kb, const int32_t *rq, STYPE *state,   \
                                        int8_t *y, const tinycc_svdf_params *p) {                                       \
    const int32_t filters = p->filters, memory = p->memory, rank = p->rank, units = p->filters / p->rank;    \
    const long per_batch = (long)filters * memory;                                                           \
    int32_t b, f, j, u, r;                                                                                   \
    if (p->batch * per_batch > 1)                                                                            \
        tinycc_copy_bytes((int8_t *)state, (const int8_t *)(state + 1),                                      \
                          (p->batch * per_batch - 1) * (long)sizeof(STYPE));                                 \
    for (b = 0; b < p->batch; ++b) {                                                                         \
        STYPE *mem = state + (size_t)b * (size_t)per_batch;                                                  \
        const int8_t *xb = x + (size_t)b * (size_t)p->size;                                                  \
        const int32_t *w = wf4;                                                                              \
        for (f = 0; f < filters; f += 4) {                                                                   \
            const int32_t n = filters - f < 4 ? filters - f : 4;                                             \
            int32_t acc[4];                                                                                  \
            acc[0] = kf[f], acc[1] = kf[f + 1], acc[2] = kf[f + 2], acc[3] = kf[f + 3];                      \
            w = n > 2 ? tinycc_fc_dot4(w, xb, p->size, acc) : tinycc_fc_dot2(w, xb, p->size, acc);           \
            for (j = 0; j < n; ++j) {                                                                        \
                const int32_t v = tinycc_clamp(tinycc_svdf_rescale(acc[j], rq, 0), LO, HI);            \
                mem[(size_t)(f + j) * (size_t)memory + (size_t)(memory - 1)] =                               \
                    (STYPE)tinycc_svdf_narrow(tinycc_wadd(v, p->state_zp), BITS);                            \
            }                                                                                                \
        }                                                                                                    \
        for (u = 0; u < units; ++u) {                                                                        \
            uint32_t acc = (uint32_t)kb[u];                                                                  \
            const size_t at = (size_t)u * (size_t)rank * (size_t)memory;                                     \
            int32_t out;                                                                                     \
            for (r = 0; r < rank; ++r)                                                                       \
                acc = DOT(wt + at + (size_t)r * (size_t)memory, mem + at + (size_t)r * (size_t)memory, memory, acc); \
            out = tinycc_svdf_rescale(tinycc_svdf_wrap32(acc), rq + 3, p->output_zp);                     \
            y[(size_t)b * (size_t)units + (size_t)u] = (int8_t)tinycc_clamp(out, -128, 127);                 \
        }                                                                                                    \
    }                                                                                                        \
}

TINYCC_SVDF_S8_FAST(s8_s16, int16_t, 16, -32768, 32767, tinycc_svdf_dot_s16)
TINYCC_SVDF_S8_FAST(s8_s8, int8_t, 8, -128, 127, tinycc_svdf_dot_s8)

/* int32 ADD / SUB / MUL (TFLM's int32 paths): raw integers, two's-complement wrapping (computed in
 * uint32_t: no signed overflow), clamped to the activation's bounds. Needs elementwise.h (tinycc_bcast) and wrap_s32.h.
 * op: 0 add, 1 sub, 2 mul */
static inline void tinycc_binary_s32(int32_t n, const tinycc_bcast *s, const int32_t *a, const int32_t *b,
                                     int32_t *out, int op, int32_t act_min, int32_t act_max) {
    int32_t i, ia, ib;
    for (i = 0; i < n; ++i) {
        uint32_t x, y, v;
        tinycc_bcast_index(s, i, &ia, &ib);
        x = (uint32_t)a[ia];
        y = (uint32_t)b[ib];
        v = op == 0 ? x + y : (op == 1 ? x - y : x * y);
        out[i] = tinycc_clamp(tinycc_wrap_s32(v), act_min, act_max);
    }
}

/* Table lookup for int8 elementwise ops: out[i] = table[in[i] + 128]. */
static inline void tinycc_lut_s8(const int8_t *in, int8_t *out, const int8_t *table, int n) {
    int i;
    for (i = 0; i < n; ++i) out[i] = table[(int)in[i] + 128];
}

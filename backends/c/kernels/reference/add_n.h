/* ADD_N: out = ins[0] + ins[1] + ... in that order, as TFLM's reference AddN. */
static inline void tinycc_add_n_f32(int32_t n, int32_t count, const float *const *ins, float *out) {
    int32_t i, j;
    for (i = 0; i < n; ++i) {
        float sum = ins[0][i];
        for (j = 1; j < count; ++j) sum += ins[j][i];
        out[i] = sum;
    }
}


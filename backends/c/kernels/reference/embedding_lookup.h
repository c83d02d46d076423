/* EMBEDDING_LOOKUP, TF Lite Micro's hybrid path: the looked-up int8 rows dequantised with the
 * table's one scale (zero point 0) in float32 (a constant lookup was checked
 * at compile time). The plain paths copy rows (gather.h). */
static inline void tinycc_embedding_lookup_hybrid(const int8_t *value, const int32_t *lookup, int32_t count,
                                                  int32_t columns, float scale, float *output) {
    int32_t i, j;
    for (i = 0; i < count; ++i) {
        const int8_t *row = value + (long)lookup[i] * columns;
        for (j = 0; j < columns; ++j) output[(long)i * columns + j] = (float)row[j] * scale;
    }
}

/* The hybrid path with a lookup computed at run time: every row is checked against [0, rows) before
 * anything is written; 1 (nothing written) when one is outside, as TFLM fails the invoke, else 0. */
static inline int tinycc_embedding_lookup_hybrid_checked(const int8_t *value, const int32_t *lookup, int32_t count,
                                                         int32_t rows, int32_t columns, float scale, float *output) {
    int32_t i;
    for (i = 0; i < count; ++i)
        if (lookup[i] < 0 || lookup[i] >= rows) return 1;
    tinycc_embedding_lookup_hybrid(value, lookup, count, columns, scale, output);
    return 0;
}

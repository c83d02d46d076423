/* EMBEDDING_LOOKUP, TF Lite Micro's hybrid path: the looked-up int8 rows (checked at compile time)
 * dequantised with the table's one scale (zero point 0) in float32. The plain paths copy rows
 * (gather.h). */
static inline void tinycc_embedding_lookup_hybrid(const int8_t *value, const int32_t *lookup, int32_t count,
                                                  int32_t columns, float scale, float *output) {
    int32_t i, j;
    for (i = 0; i < count; ++i) {
        const int8_t *row = value + (long)lookup[i] * columns;
        for (j = 0; j < columns; ++j) output[(long)i * columns + j] = (float)row[j] * scale;
    }
}

/* 4-bit weights (TFLite INT4): element i of a packed tensor is the low nibble of byte i / 2 when i is
   even, the high nibble when odd, sign-extended (TFLite's UnpackDenseInt4IntoInt8). */
static inline int32_t tinycc_s4(const uint8_t *w, long i) {
    const uint32_t byte = w[i >> 1];
    const uint32_t nib = (i & 1) ? byte >> 4 : byte & 15u;
    return (int32_t)(nib ^ 8u) - 8;
}

/* FULLY_CONNECTED on int8 activations: rows x (units, depth) weights, multiplier per tensor or per unit;
   generic over the weights' storage (kernel_units.PARAMS): @W@ = s8 int8 bytes, s4 4-bit values packed
   two a byte (weights_s4.h; TFLite's int4 weights have zero point 0), lut LUT indices and tables
   (weights_lut.h; WX its extra parameters, no w_zp: 0); TINYCC_WV(w, i) is weight i, FC_DOT a row's sum. */
#define TINYCC_WV(w, i) @WLOAD@
static inline void tinycc_fully_connected_@W@(int rows, int units, int depth, const int8_t *in, const @WT@ *w@WX@,
                                             const int32_t *bias, int8_t *out, int32_t in_zp,@FC_ZP@
                                             int32_t out_zp, const int32_t *mult, const int8_t *shift,
                                             int per_channel, int32_t act_min, int32_t act_max) {
    int r, u@FC_I@;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < units; ++u) {
        const int q = per_channel ? u : 0;
        const long row = (long)u * depth;
        uint32_t acc = 0;       /* wraps like TFLM's int32 sum (a bias near INT32_MAX) */
        int32_t v;
        @FC_DOT@
        if (bias) acc += (uint32_t)bias[u];
        v = tinycc_wadd(tinycc_mbqm((int32_t)acc, mult[q], shift[q]), out_zp);
        out[r * units + u] = (int8_t)tinycc_clamp(v, act_min, act_max);
    }
}
#undef TINYCC_WV

/* TF Lite Micro's signal library (audio front end) on plain integers, bit for bit: window,
 * FFT auto-scale, energy, filter bank, its square root and log, PCAN, spectral subtraction.
 * Unsigned arithmetic wherever TFLM's C wraps, so nothing here is undefined behaviour. */
static inline int16_t tinycc_signal_s16(uint32_t u) {
    u &= 0xFFFFu;
    return u >= 0x8000u ? (int16_t)((int32_t)u - 65536) : (int16_t)u;
}

static inline int tinycc_signal_msb32(uint32_t x) {     /* TFLM's GCC build: 32 for 0 */
    int n = 0;
    if (x == 0u) return 32;
    while (x) { x >>= 1; ++n; }
    return n;
}

static inline int tinycc_signal_msb64(uint64_t x) {
    int n = 0;
    if (x == 0u) return 64;
    while (x) { x >>= 1; ++n; }
    return n;
}

static inline void tinycc_signal_window(int32_t n, int32_t wn, const int16_t *x, const int16_t *w, int shift, int16_t *y) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t raw = ((int32_t)x[i] * w[i % wn]) >> shift;
        y[i] = (int16_t)(raw < -32768 ? -32768 : raw > 32767 ? 32767 : raw);
    }
}

static inline void tinycc_signal_fft_auto_scale(int32_t n, const int16_t *x, int16_t *y, int32_t *scale_bits) {
    int16_t max = 0;
    int32_t i;
    int shift;
    for (i = 0; i < n; ++i) {
        const int16_t v = x[i];
        if (v > max) max = v;
        else if (-(int32_t)v > max) max = (int16_t)(v == -32768 ? -32768 : -v);   /* int16 wrap, as TFLM */
    }
    shift = 16 - tinycc_signal_msb32((uint32_t)(int32_t)max) - 1;
    if (shift < 0) shift = 0;
    for (i = 0; i < n; ++i) y[i] = tinycc_signal_s16((uint32_t)(int32_t)x[i] << shift);
    *scale_bits = shift;
}

static inline void tinycc_signal_energy(int32_t bins, int32_t start, int32_t end, const int16_t *x, uint32_t *y) {
    int32_t i;
    /* bins outside [start, end) are 0 (0 <= start <= end <= bins: core/ops/signal_energy.py); the others are
     * all written below */
    tinycc_zero_bytes((int8_t *)(void *)y, 4L * start);
    tinycc_zero_bytes((int8_t *)(void *)(y + end), 4L * (bins - end));
    for (i = start; i < end; ++i) {
        const int32_t re = x[2 * i], im = x[2 * i + 1];
        y[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
    }
}

static inline void tinycc_signal_filter_bank(int32_t channels, const uint32_t *x, const int16_t *w, const int16_t *uw,
                                      const int16_t *freq_starts, const int16_t *weight_starts,
                                      const int16_t *widths, uint64_t *y) {
    uint64_t acc = 0u, unacc = 0u;
    int32_t i, j;
    for (i = 0; i <= channels; ++i) {
        const int32_t f0 = freq_starts[i], w0 = weight_starts[i];
        for (j = 0; j < widths[i]; ++j) {
            acc += (uint64_t)(int64_t)w[w0 + j] * (uint64_t)x[f0 + j];
            unacc += (uint64_t)(int64_t)uw[w0 + j] * (uint64_t)x[f0 + j];
        }
        if (i > 0) y[i - 1] = acc;                 /* channel 0 is TFLM's scratch */
        acc = unacc;
        unacc = 0u;
    }
}

static inline uint32_t tinycc_signal_sqrt32(uint32_t num) {
    uint32_t res = 0u, bit;
    int top, it;
    if (num == 0u) return 0u;
    top = (32 - tinycc_signal_msb32(num)) | 1;
    bit = (uint32_t)1 << (31 - top);
    for (it = (31 - top) / 2 + 1; it > 0; --it) {
        if (num >= res + bit) { num -= res + bit; res = (res >> 1) + bit; }
        else res >>= 1;
        bit >>= 2;
    }
    if (num > res && res != 0xFFFFu) ++res;
    return res;
}

static inline uint32_t tinycc_signal_sqrt64(uint64_t num) {
    uint64_t res = 0u, bit;
    int top, it;
    if ((num >> 32) == 0u) return tinycc_signal_sqrt32((uint32_t)num);
    top = (64 - tinycc_signal_msb64(num)) | 1;
    bit = (uint64_t)1 << (63 - top);
    for (it = (63 - top) / 2 + 1; it > 0; --it) {
        if (num >= res + bit) { num -= res + bit; res = (res >> 1) + bit; }
        else res >>= 1;
        bit >>= 2;
    }
    if (num > res && res != 0xFFFFFFFFu) ++res;
    return (uint32_t)res;
}

static inline void tinycc_signal_filter_bank_sqrt(int32_t n, const uint64_t *x, const int32_t *scale_bits, uint32_t *y) {
    const int shift = (int)((uint32_t)*scale_bits & 31u);    /* TFLM: undefined outside [0, 31] */
    int32_t i;
    for (i = 0; i < n; ++i) y[i] = tinycc_signal_sqrt64(x[i]) >> shift;
}

static const uint16_t tinycc_signal_log_lut[130] = {
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944, 3087, 3224,
    3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934, 5001,
    5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631,
    5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332,
    5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264,
    4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549,
    2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142,
    0, 0};

static inline uint32_t tinycc_signal_log32(uint32_t x, uint32_t out_scale) {
    const uint32_t integer = (uint32_t)tinycc_signal_msb32(x) - 1u;
    int32_t frac = (int32_t)(x - ((uint32_t)1 << integer)), c0, c1, rel;
    uint32_t seg, log2, loge;
    if (integer < 16u) frac = (int32_t)((uint32_t)frac << (16u - integer));
    else frac >>= integer - 16u;
    seg = (uint32_t)frac >> 9;
    c0 = tinycc_signal_log_lut[seg];
    c1 = tinycc_signal_log_lut[seg + 1u];
    rel = ((c1 - c0) * (frac - (int32_t)(seg * 512u))) >> 16;
    log2 = (integer << 16) + (uint32_t)(frac + c0 + rel);
    loge = (uint32_t)(((uint64_t)45426u * log2 + 32768u) >> 16);
    return (out_scale * loge + 32768u) >> 16;
}

static inline void tinycc_signal_filter_bank_log(int32_t n, const uint32_t *x, int bits, uint32_t out_scale, int16_t *y) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const uint32_t scaled = x[i] << bits;
        uint32_t v = 0u;
        if (scaled > 1u) {
            v = tinycc_signal_log32(scaled, out_scale);
            if (v > 32767u) v = 32767u;
        }
        y[i] = (int16_t)v;
    }
}

static inline uint32_t tinycc_signal_pcan_gain(uint32_t x, const int16_t *lut) {
    int interval;
    int32_t frac, result;
    if (x <= 2u) return (uint32_t)(int32_t)lut[x];
    interval = tinycc_signal_msb32(x);
    lut += 4 * interval - 6;
    frac = (int32_t)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3FFu);
    result = ((int32_t)lut[2] * frac) >> 5;
    result += (int32_t)lut[1] * 32;
    result *= frac;
    result = (result + (1 << 14)) >> 15;
    result += lut[0];
    return (uint32_t)(int32_t)tinycc_signal_s16((uint32_t)result);
}

static inline void tinycc_signal_pcan(int32_t n, const uint32_t *x, const uint32_t *noise, const int16_t *lut, int snr_shift,
                               uint32_t *y) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const uint32_t snr = (uint32_t)(((uint64_t)x[i] * tinycc_signal_pcan_gain(noise[i], lut)) >> snr_shift);
        y[i] = snr < (2u << 12) ? (snr * snr) >> 20 : (snr >> 6) - 64u;
    }
}

typedef struct {
    uint32_t smoothing, one_minus_smoothing, alternate_smoothing, alternate_one_minus_smoothing;
    uint32_t min_signal_remaining;
    int smoothing_bits, spectral_subtraction_bits, clamping;
} tinycc_signal_subtraction;

static inline void tinycc_signal_spectral_subtraction(int32_t n, const tinycc_signal_subtraction *p, const uint32_t *x,
                                               uint32_t *noise_state, uint32_t *y, uint32_t *noise_out) {
    int32_t i;
    for (i = 0; i < n; ++i) {
        const uint32_t s = (i & 1) ? p->alternate_smoothing : p->smoothing;
        const uint32_t oms = (i & 1) ? p->alternate_one_minus_smoothing : p->one_minus_smoothing;
        const uint32_t scaled = x[i] << p->smoothing_bits;
        uint32_t estimate, floor_, subtracted;
        noise_state[i] = (uint32_t)(((uint64_t)scaled * s + (uint64_t)noise_state[i] * oms)
                                    >> p->spectral_subtraction_bits);
        estimate = noise_state[i];
        if (estimate > scaled) {
            estimate = scaled;
            if (p->clamping) noise_state[i] = estimate;
        }
        floor_ = (uint32_t)(((uint64_t)x[i] * p->min_signal_remaining) >> p->spectral_subtraction_bits);
        subtracted = (scaled - estimate) >> p->smoothing_bits;
        y[i] = subtracted > floor_ ? subtracted : floor_;
        noise_out[i] = noise_state[i];
    }
}

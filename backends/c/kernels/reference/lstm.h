/* UNIDIRECTIONAL_SEQUENCE_LSTM kernels (int8 8x8->16, float32) as TF Lite Micro's lstm_eval computes
 * them: per step and gate two fully connected layers (input, recurrent) to int16 Q3.12, a saturating
 * add, TFLM's interpolated int16 sigmoid / tanh (table of sigmoid(i / 24) in 0.16, passed biased by
 * -32768 as int16), then the cell and hidden updates. Elementwise stages are fused per element, which
 * changes no value. `scratch` (planned in the arena) holds three gate buffers of a step's rows; the
 * cell and hidden state are the variable tensors `cell_state`, `hidden_state` (in the persistent state
 * buffer, carried across invokes), or when these are NULL two more scratch buffers set to TFLM's reset
 * (hidden at its zero point) on every invoke. */
typedef struct {
    int32_t batch, steps, depth, state, time_major, cell_tanh, clip;
    int32_t in_zp, h_zp;
    int32_t in_mult[4], in_shift[4], rec_mult[4], rec_shift[4];
    int32_t fmul, fshift, imul, ishift, omul, oshift;
    int32_t tanh_mult, tanh_shift, q_clip;
} tinycc_lstm_params;

static inline int32_t tinycc_lstm_floor_shift(int32_t v, int s) {
    return v >= 0 ? (v >> s) : -(int32_t)((((uint32_t)-(v + 1)) >> s) + 1u);
}

static inline int16_t tinycc_lstm_sigmoid(int32_t x, const int16_t *tab) {
    const int32_t v = x * 3;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t uh = a >> 9;
    uint32_t r;
    if (uh >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t ua = (uint32_t)(tab[uh] + 32768), ub = (uint32_t)(tab[uh + 1] + 32768);
        r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
    }
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

static inline int16_t tinycc_lstm_tanh(int32_t x, int32_t mult, int32_t shift, const int16_t *tab) {
    const int32_t v = tinycc_lstm_floor_shift(x * mult + (shift > 0 ? (int32_t)1 << (shift - 1) : 0), shift);
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t uh = a >> 8;
    int32_t r;
    if (uh >= 255u) {
        r = 0xFFFF << 8;
    } else {
        const uint32_t ua = (uint32_t)(tab[uh] + 32768), ub = (uint32_t)(tab[uh + 1] + 32768);
        r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)tinycc_lstm_floor_shift(r, 8);
}

static inline int32_t tinycc_lstm_sat16(int32_t v) {
    return tinycc_clamp(v, -32768, 32767);
}

/* One int8 gate for `rows` rows: sat16(fc(x) + fc(h)), activated. */
static inline void tinycc_lstm_gate_s8(const tinycc_lstm_params *p, int k, int rows, const int8_t *x, const int8_t *h,
                                       const int8_t *wi, const int8_t *wr, const int32_t *bias, int tanh_gate,
                                       const int16_t *tab, int16_t *out) {
    const int32_t n = p->state, d = p->depth;
    int r, u, j;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < n; ++u) {
        uint32_t ai = (uint32_t)bias[u], ar = 0;     /* wrap like TFLM's int32 sums */
        int32_t z;
        for (j = 0; j < d; ++j) ai += (uint32_t)((int32_t)wi[u * d + j] * ((int32_t)x[r * d + j] - p->in_zp));
        for (j = 0; j < n; ++j) ar += (uint32_t)((int32_t)wr[u * n + j] * ((int32_t)h[r * n + j] - p->h_zp));
        z = tinycc_lstm_sat16(tinycc_lstm_sat16(tinycc_mbqm((int32_t)ai, p->in_mult[k], p->in_shift[k]))
                              + tinycc_lstm_sat16(tinycc_mbqm((int32_t)ar, p->rec_mult[k], p->rec_shift[k])));
        out[r * n + u] = tanh_gate ? tinycc_lstm_tanh(z, 3, 0, tab) : tinycc_lstm_sigmoid(z, tab);
    }
}

static inline void tinycc_lstm_s8(const tinycc_lstm_params *p, const int8_t *in, const int8_t *const w[8],
                                  const int32_t *const bias[4], const int16_t *tab, int8_t *out, void *scratch,
                                  int16_t *cell_state, int8_t *hidden_state) {
    const int32_t n = p->state, rows = p->time_major ? p->batch : 1;
    int16_t *gi = (int16_t *)scratch, *gf = gi + rows * n, *gg = gf + rows * n;
    int16_t *cell = cell_state;
    int8_t *hidden = hidden_state;
    int32_t b, t, e;
    if (cell == NULL || hidden == NULL) {       /* no persistent state: this invoke from the reset state */
        cell = gg + rows * n;
        hidden = (int8_t *)(cell + p->batch * n);
        for (e = 0; e < p->batch * n; ++e) { cell[e] = 0; hidden[e] = (int8_t)p->h_zp; }
    }
    for (b = 0; b < (p->time_major ? 1 : p->batch); ++b)
    for (t = 0; t < p->steps; ++t) {
        const int32_t at = p->time_major ? t * p->batch : b * p->steps + t;   /* first row of this step */
        const int8_t *x = in + (size_t)at * p->depth;
        int8_t *h = hidden + (p->time_major ? 0 : b * n);
        int16_t *c = cell + (p->time_major ? 0 : b * n);
        tinycc_lstm_gate_s8(p, 1, rows, x, h, w[1], w[5], bias[1], 0, tab, gf);
        tinycc_lstm_gate_s8(p, 0, rows, x, h, w[0], w[4], bias[0], 0, tab, gi);
        tinycc_lstm_gate_s8(p, 2, rows, x, h, w[2], w[6], bias[2], p->cell_tanh, tab, gg);
        for (e = 0; e < rows * n; ++e) {
            int32_t v = tinycc_lstm_sat16(tinycc_mbqm((int32_t)gf[e] * c[e], p->fmul, p->fshift));
            v = tinycc_lstm_sat16(v + tinycc_lstm_sat16(tinycc_mbqm((int32_t)gi[e] * gg[e], p->imul, p->ishift)));
            if (p->clip) v = tinycc_clamp(v, -p->q_clip, p->q_clip);
            c[e] = (int16_t)v;
        }
        tinycc_lstm_gate_s8(p, 3, rows, x, h, w[3], w[7], bias[3], 0, tab, gi);    /* output gate */
        for (e = 0; e < rows * n; ++e) {
            const int32_t th = tinycc_lstm_tanh(c[e], p->tanh_mult, p->tanh_shift, tab);
            h[e] = (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm(th * gi[e], p->omul, p->oshift), p->h_zp), -128, 127);
            out[(size_t)at * n + e] = h[e];
        }
    }
}

static inline float tinycc_lstm_sigmoidf(float z) {
    return 1.0f / (1.0f + expf(-z));
}

static inline void tinycc_lstm_gate_f32(const tinycc_lstm_params *p, int rows, const float *x, const float *h,
                                        const float *wi, const float *wr, const float *bias, int tanh_gate,
                                        float *out) {
    const int32_t n = p->state, d = p->depth;
    int r, u, j;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < n; ++u) {
        float ai = 0.0f, ar = 0.0f, z;
        for (j = 0; j < d; ++j) ai += x[r * d + j] * wi[u * d + j];
        for (j = 0; j < n; ++j) ar += h[r * n + j] * wr[u * n + j];
        z = (ai + bias[u]) + ar;
        out[r * n + u] = tanh_gate ? tanhf(z) : tinycc_lstm_sigmoidf(z);
    }
}

static inline void tinycc_lstm_f32(const tinycc_lstm_params *p, float clip, const float *in, const float *const w[8],
                                   const float *const bias[4], float *out, void *scratch,
                                   float *cell_state, float *hidden_state) {
    const int32_t n = p->state, rows = p->time_major ? p->batch : 1;
    float *gi = (float *)scratch, *gf = gi + rows * n, *gg = gf + rows * n;
    float *cell = cell_state, *hidden = hidden_state;
    int32_t b, t, e;
    if (cell == NULL || hidden == NULL) {       /* no persistent state: this invoke from the reset state */
        cell = gg + rows * n;
        hidden = cell + p->batch * n;
        for (e = 0; e < p->batch * n; ++e) { cell[e] = 0.0f; hidden[e] = 0.0f; }
    }
    for (b = 0; b < (p->time_major ? 1 : p->batch); ++b)
    for (t = 0; t < p->steps; ++t) {
        const int32_t at = p->time_major ? t * p->batch : b * p->steps + t;
        const float *x = in + (size_t)at * p->depth;
        float *h = hidden + (p->time_major ? 0 : b * n);
        float *c = cell + (p->time_major ? 0 : b * n);
        tinycc_lstm_gate_f32(p, rows, x, h, w[1], w[5], bias[1], 0, gf);
        tinycc_lstm_gate_f32(p, rows, x, h, w[0], w[4], bias[0], 0, gi);
        tinycc_lstm_gate_f32(p, rows, x, h, w[2], w[6], bias[2], p->cell_tanh, gg);
        for (e = 0; e < rows * n; ++e) {
            float v = gf[e] * c[e] + gi[e] * gg[e];
            if (p->clip) v = tinycc_clampf(v, -clip, clip);
            c[e] = v;
        }
        tinycc_lstm_gate_f32(p, rows, x, h, w[3], w[7], bias[3], 0, gi);
        for (e = 0; e < rows * n; ++e) {
            h[e] = tanhf(c[e]) * gi[e];
            out[(size_t)at * n + e] = h[e];
        }
    }
}

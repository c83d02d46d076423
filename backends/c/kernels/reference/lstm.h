/* UNIDIRECTIONAL_SEQUENCE_LSTM kernels (int8 8x8->16, int16 16x8->16, float32) as TF Lite Micro's lstm_eval computes
 * them: per step and gate two fully connected layers (input, recurrent) to int16 Q3.12, a saturating
 * add, TFLM's interpolated int16 sigmoid / tanh (common/sigmoid_s16.h), then the cell and hidden
 * updates. Elementwise stages are fused per element, which changes no value. `scratch` (planned in the
 * arena) holds three gate buffers of a step's rows; the cell and hidden state are the variable tensors
 * `cell_state`, `hidden_state` (in the persistent state buffer, carried across invokes), or when these
 * are NULL two more scratch buffers set to TFLM's reset (hidden at its zero point) on every invoke. */
typedef struct {
    int32_t batch, steps, depth, state, time_major, cell_tanh, clip;
    int32_t in_zp, h_zp;
    int32_t in_mult[4], in_shift[4], rec_mult[4], rec_shift[4];
    int32_t fmul, fshift, imul, ishift, omul, oshift;
    int32_t tanh_mult, tanh_shift, q_clip;
} tinycc_lstm_params;

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
        out[r * n + u] = tanh_gate ? tinycc_tanh_s16(z, 3, 0, tab) : tinycc_sigmoid_s16(z, 3, 0, tab);
    }
}

/* The int16 cell update of `count` elements (int8 and 16x8 LSTMs alike): c = sat16(sat16(f x c) +
 * sat16(i x g)), each product rescaled, then clipped to +-q_clip when the model clips. */
static inline void tinycc_lstm_cell(const tinycc_lstm_params *p, int32_t count, const int16_t *gf, const int16_t *gi,
                                    const int16_t *gg, int16_t *c) {
    int32_t e;
    for (e = 0; e < count; ++e) {
        int32_t v = tinycc_lstm_sat16(tinycc_mbqm((int32_t)gf[e] * c[e], p->fmul, p->fshift));
        v = tinycc_lstm_sat16(v + tinycc_lstm_sat16(tinycc_mbqm((int32_t)gi[e] * gg[e], p->imul, p->ishift)));
        if (p->clip) v = tinycc_clamp(v, -p->q_clip, p->q_clip);
        c[e] = (int16_t)v;
    }
}

/* The int8 LSTM's cell and hidden state for this invoke: the persistent variable tensors `*cell`,
 * `*hidden`, or when either is NULL two buffers at `spare` (scratch after the gates) set to TFLM's reset
 * (cell 0, hidden at its zero point). */
static inline void tinycc_lstm_state_s8(const tinycc_lstm_params *p, int16_t *spare, int16_t **cell,
                                        int8_t **hidden) {
    int32_t e;
    if (*cell != NULL && *hidden != NULL) return;
    *cell = spare;
    *hidden = (int8_t *)(spare + p->batch * p->state);
    for (e = 0; e < p->batch * p->state; ++e) { (*cell)[e] = 0; (*hidden)[e] = (int8_t)p->h_zp; }
}

static inline void tinycc_lstm_s8(const tinycc_lstm_params *p, const int8_t *in, const int8_t *const w[8],
                                  const int32_t *const bias[4], const int16_t *tab, int8_t *out, void *scratch,
                                  int16_t *cell_state, int8_t *hidden_state) {
    const int32_t n = p->state, rows = p->time_major ? p->batch : 1;
    int16_t *gi = (int16_t *)scratch, *gf = gi + rows * n, *gg = gf + rows * n;
    int16_t *cell = cell_state;
    int8_t *hidden = hidden_state;
    int32_t b, t, e;
    tinycc_lstm_state_s8(p, gg + rows * n, &cell, &hidden);
    for (b = 0; b < (p->time_major ? 1 : p->batch); ++b)
    for (t = 0; t < p->steps; ++t) {
        const int32_t at = p->time_major ? t * p->batch : b * p->steps + t;   /* first row of this step */
        const int8_t *x = in + (size_t)at * p->depth;
        int8_t *h = hidden + (p->time_major ? 0 : b * n);
        int16_t *c = cell + (p->time_major ? 0 : b * n);
        tinycc_lstm_gate_s8(p, 1, rows, x, h, w[1], w[5], bias[1], 0, tab, gf);
        tinycc_lstm_gate_s8(p, 0, rows, x, h, w[0], w[4], bias[0], 0, tab, gi);
        tinycc_lstm_gate_s8(p, 2, rows, x, h, w[2], w[6], bias[2], p->cell_tanh, tab, gg);
        tinycc_lstm_cell(p, rows * n, gf, gi, gg, c);
        tinycc_lstm_gate_s8(p, 3, rows, x, h, w[3], w[7], bias[3], 0, tab, gi);    /* output gate */
        for (e = 0; e < rows * n; ++e) {
            const int32_t th = tinycc_tanh_s16(c[e], p->tanh_mult, p->tanh_shift, tab);
            h[e] = (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm(th * gi[e], p->omul, p->oshift), p->h_zp), -128, 127);
            out[(size_t)at * n + e] = h[e];
        }
    }
}

/* One 16x8 gate for `rows` rows: the int64 sums (int16 x int8 products, the int64 bias on the input
 * side; both zero points are 0) each rescaled by the int64 MultiplyByQuantizedMultiplier, then as the
 * int8 gate. prepare bounds |sum| below 2^47, where the rescale's product stays inside int64. */
static inline void tinycc_lstm_gate_s16(const tinycc_lstm_params *p, int k, int rows, const int16_t *x,
                                        const int16_t *h, const int8_t *wi, const int8_t *wr, const int64_t *bias,
                                        int tanh_gate, const int16_t *tab, int16_t *out) {
    const int32_t n = p->state, d = p->depth;
    int r, u, j;
    for (r = 0; r < rows; ++r)
    for (u = 0; u < n; ++u) {
        int64_t ai = bias[u], ar = 0;
        int32_t z;
        for (j = 0; j < d; ++j) ai += (int32_t)wi[u * d + j] * (int32_t)x[r * d + j];
        for (j = 0; j < n; ++j) ar += (int32_t)wr[u * n + j] * (int32_t)h[r * n + j];
        z = tinycc_lstm_sat16(tinycc_lstm_sat16(tinycc_mbqm64(ai, p->in_mult[k], p->in_shift[k]))
                              + tinycc_lstm_sat16(tinycc_mbqm64(ar, p->rec_mult[k], p->rec_shift[k])));
        out[r * n + u] = tanh_gate ? tinycc_tanh_s16(z, 3, 0, tab) : tinycc_sigmoid_s16(z, 3, 0, tab);
    }
}

/* The 16x8 LSTM: tinycc_lstm_s8's steps with int16 activations and hidden state (zero point 0) and
 * 16x8 gates; the state is the variable tensors, or two buffers at the end of `scratch` reset to 0. */
static inline void tinycc_lstm_s16(const tinycc_lstm_params *p, const int16_t *in, const int8_t *const w[8],
                                   const int64_t *const bias[4], const int16_t *tab, int16_t *out, void *scratch,
                                   int16_t *cell_state, int16_t *hidden_state) {
    const int32_t n = p->state, rows = p->time_major ? p->batch : 1;
    int16_t *gi = (int16_t *)scratch, *gf = gi + rows * n, *gg = gf + rows * n;
    int16_t *cell = cell_state, *hidden = hidden_state;
    int32_t b, t, e;
    if (cell == NULL || hidden == NULL) {       /* no persistent state: this invoke from the reset state */
        cell = gg + rows * n;
        hidden = cell + p->batch * n;
        for (e = 0; e < p->batch * n; ++e) { cell[e] = 0; hidden[e] = 0; }
    }
    for (b = 0; b < (p->time_major ? 1 : p->batch); ++b)
    for (t = 0; t < p->steps; ++t) {
        const int32_t at = p->time_major ? t * p->batch : b * p->steps + t;   /* first row of this step */
        const int16_t *x = in + (size_t)at * p->depth;
        int16_t *h = hidden + (p->time_major ? 0 : b * n);
        int16_t *c = cell + (p->time_major ? 0 : b * n);
        tinycc_lstm_gate_s16(p, 1, rows, x, h, w[1], w[5], bias[1], 0, tab, gf);
        tinycc_lstm_gate_s16(p, 0, rows, x, h, w[0], w[4], bias[0], 0, tab, gi);
        tinycc_lstm_gate_s16(p, 2, rows, x, h, w[2], w[6], bias[2], p->cell_tanh, tab, gg);
        tinycc_lstm_cell(p, rows * n, gf, gi, gg, c);
        tinycc_lstm_gate_s16(p, 3, rows, x, h, w[3], w[7], bias[3], 0, tab, gi);    /* output gate */
        for (e = 0; e < rows * n; ++e) {
            const int32_t th = tinycc_tanh_s16(c[e], p->tanh_mult, p->tanh_shift, tab);
            h[e] = (int16_t)tinycc_lstm_sat16(tinycc_mbqm(th * gi[e], p->omul, p->oshift));
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

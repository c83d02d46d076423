/* Fast int8 UNIDIRECTIONAL_SEQUENCE_LSTM (needs dot_s8.h, fully_connected.h and lstm.h): tinycc_lstm_s8's
 * steps with each gate's two fully connected layers as fully_connected.h's four-unit blocks
 * (tinycc_fc_dot4 / tinycc_fc_dot2: each input word loaded and widened once per block, SMLAD on a
 * core with the DSP extension) over weights interleaved at compile time (interleave4 in
 * ops/fully_connected.py). The zero points are folded into per-unit constants at compile time:
 * kb[k][u] = bias_k[u] - in_zp * sum(W_input_k[u]) for gate k's input side, kb[4 + k][u] =
 * -h_zp * sum(W_recurrent_k[u]) for its recurrent side (both padded with zeros to a multiple of 4
 * units). The emitter uses this kernel only when no partial sum can leave int32 (the sums are then
 * TFLM's exactly) and every multiplier is non-negative (dot_s8.h's tinycc_mbqm_nn, the one-multiply form of
 * MultiplyByQuantizedMultiplier); the activations and state updates are lstm.h's. */

static inline int16_t tinycc_lstm_act_s8(const tinycc_lstm_params *p, int k, int32_t ai, int32_t ar, int tanh_gate,
                                         const int16_t *tab) {
    const int32_t z = tinycc_lstm_sat16(tinycc_lstm_sat16(tinycc_mbqm_nn(ai, p->in_mult[k], p->in_shift[k]))
                                        + tinycc_lstm_sat16(tinycc_mbqm_nn(ar, p->rec_mult[k], p->rec_shift[k])));
    return tanh_gate ? tinycc_tanh_s16(z, 3, 0, tab) : tinycc_sigmoid_s16(z, 3, 0, tab);
}

/* One gate for `rows` rows; wi, wr: the gate's input and recurrent weights, interleave4's layout */
static inline void tinycc_lstm_gate_s8_fast(const tinycc_lstm_params *p, int k, int rows, const int8_t *x,
                                            const int8_t *h, const int32_t *wi, const int32_t *wr, const int32_t *kin,
                                            const int32_t *krec, int tanh_gate, const int16_t *tab, int16_t *out) {
    const int32_t n = p->state, d = p->depth;
    int r, u, j;
    for (r = 0; r < rows; ++r) {
        const int8_t *xr = x + r * d, *hr = h + r * n;
        const int32_t *wi4 = wi, *wr4 = wr;
        int16_t *o = out + r * n;
        for (u = 0; u < n; u += 4) {
            int32_t ai[4], ar[4];
            for (j = 0; j < 4; ++j) ai[j] = kin[u + j], ar[j] = krec[u + j];
            if (n - u <= 2) {
                wi4 = tinycc_fc_dot2(wi4, xr, d, ai);
                wr4 = tinycc_fc_dot2(wr4, hr, n, ar);
            } else {
                wi4 = tinycc_fc_dot4(wi4, xr, d, ai);
                wr4 = tinycc_fc_dot4(wr4, hr, n, ar);
            }
            for (j = 0; j < 4 && u + j < n; ++j) o[u + j] = tinycc_lstm_act_s8(p, k, ai[j], ar[j], tanh_gate, tab);
        }
    }
}

static inline void tinycc_lstm_s8_fast(const tinycc_lstm_params *p, const int8_t *in, const int32_t *const w[8],
                                       const int32_t *const kb[8], const int16_t *tab, int8_t *out, void *scratch,
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
        tinycc_lstm_gate_s8_fast(p, 1, rows, x, h, w[1], w[5], kb[1], kb[5], 0, tab, gf);
        tinycc_lstm_gate_s8_fast(p, 0, rows, x, h, w[0], w[4], kb[0], kb[4], 0, tab, gi);
        tinycc_lstm_gate_s8_fast(p, 2, rows, x, h, w[2], w[6], kb[2], kb[6], p->cell_tanh, tab, gg);
        for (e = 0; e < rows * n; ++e) {
            int32_t v = tinycc_lstm_sat16(tinycc_mbqm_nn((int32_t)gf[e] * c[e], p->fmul, p->fshift));
            v = tinycc_lstm_sat16(v + tinycc_lstm_sat16(tinycc_mbqm_nn((int32_t)gi[e] * gg[e], p->imul, p->ishift)));
            if (p->clip) v = tinycc_clamp(v, -p->q_clip, p->q_clip);
            c[e] = (int16_t)v;
        }
        tinycc_lstm_gate_s8_fast(p, 3, rows, x, h, w[3], w[7], kb[3], kb[7], 0, tab, gi);    /* output gate */
        for (e = 0; e < rows * n; ++e) {
            const int32_t th = tinycc_tanh_s16(c[e], p->tanh_mult, p->tanh_shift, tab);
            h[e] = (int8_t)tinycc_clamp(tinycc_wadd(tinycc_mbqm_nn(th * gi[e], p->omul, p->oshift), p->h_zp), -128, 127);
            out[(size_t)at * n + e] = h[e];
        }
    }
}

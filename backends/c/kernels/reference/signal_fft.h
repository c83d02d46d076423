/* KISS FFT's 16-bit fixed-point real FFT as TF Lite Micro's signal library builds it (SignalRfft),
 * bit for bit: Q15 products rounded (x + 2^14) >> 15, each stage dividing by its radix, int16
 * stores truncated. Twiddles (r, i pairs) and the factor list come from tinycc as constants. Needs
 * signal.h (tinycc_signal_s16). */
typedef struct { int16_t r, i; } tinycc_cpx16;

static inline int16_t tinycc_fft_round(int32_t x) { return tinycc_signal_s16((uint32_t)((x + (1 << 14)) >> 15)); }
static inline int16_t tinycc_fft_w(int32_t x) { return tinycc_signal_s16((uint32_t)x); }

static inline tinycc_cpx16 tinycc_fft_mul(tinycc_cpx16 a, const int16_t *tw) {
    tinycc_cpx16 m;
    m.r = tinycc_fft_round((int32_t)a.r * tw[0] - (int32_t)a.i * tw[1]);
    m.i = tinycc_fft_round((int32_t)a.r * tw[1] + (int32_t)a.i * tw[0]);
    return m;
}

static inline tinycc_cpx16 tinycc_fft_div(tinycc_cpx16 a, int32_t k) {
    tinycc_cpx16 d;
    d.r = tinycc_fft_round((int32_t)a.r * (32767 / k));
    d.i = tinycc_fft_round((int32_t)a.i * (32767 / k));
    return d;
}

static inline tinycc_cpx16 tinycc_fft_add(tinycc_cpx16 a, tinycc_cpx16 b) {
    tinycc_cpx16 s;
    s.r = tinycc_fft_w(a.r + b.r);
    s.i = tinycc_fft_w(a.i + b.i);
    return s;
}

static inline tinycc_cpx16 tinycc_fft_sub(tinycc_cpx16 a, tinycc_cpx16 b) {
    tinycc_cpx16 s;
    s.r = tinycc_fft_w(a.r - b.r);
    s.i = tinycc_fft_w(a.i - b.i);
    return s;
}

static void tinycc_fft_bfly(tinycc_cpx16 *F, int32_t p, int32_t fstride, const int16_t *tw, int32_t m) {
    int32_t k;
    if (p == 2) {
        for (k = 0; k < m; ++k) {
            const tinycc_cpx16 a = tinycc_fft_div(F[k], 2), b = tinycc_fft_div(F[k + m], 2);
            const tinycc_cpx16 t = tinycc_fft_mul(b, tw + 2 * k * fstride);
            F[k + m] = tinycc_fft_sub(a, t);
            F[k] = tinycc_fft_add(a, t);
        }
    } else if (p == 3) {
        const int16_t epi3 = tw[2 * fstride * m + 1];
        for (k = 0; k < m; ++k) {
            const tinycc_cpx16 f0 = tinycc_fft_div(F[k], 3);
            const tinycc_cpx16 s1 = tinycc_fft_mul(tinycc_fft_div(F[k + m], 3), tw + 2 * k * fstride);
            const tinycc_cpx16 s2 = tinycc_fft_mul(tinycc_fft_div(F[k + 2 * m], 3), tw + 4 * k * fstride);
            const tinycc_cpx16 s3 = tinycc_fft_add(s1, s2);
            tinycc_cpx16 s0 = tinycc_fft_sub(s1, s2), f1;
            f1.r = tinycc_fft_w(f0.r - (s3.r >> 1));
            f1.i = tinycc_fft_w(f0.i - (s3.i >> 1));
            s0.r = tinycc_fft_round((int32_t)s0.r * epi3);
            s0.i = tinycc_fft_round((int32_t)s0.i * epi3);
            F[k] = tinycc_fft_add(f0, s3);
            F[k + 2 * m].r = tinycc_fft_w(f1.r + s0.i);
            F[k + 2 * m].i = tinycc_fft_w(f1.i - s0.r);
            F[k + m].r = tinycc_fft_w(f1.r - s0.i);
            F[k + m].i = tinycc_fft_w(f1.i + s0.r);
        }
    } else if (p == 4) {
        for (k = 0; k < m; ++k) {
            tinycc_cpx16 f0 = tinycc_fft_div(F[k], 4);
            const tinycc_cpx16 s0 = tinycc_fft_mul(tinycc_fft_div(F[k + m], 4), tw + 2 * k * fstride);
            const tinycc_cpx16 s1 = tinycc_fft_mul(tinycc_fft_div(F[k + 2 * m], 4), tw + 4 * k * fstride);
            const tinycc_cpx16 s2 = tinycc_fft_mul(tinycc_fft_div(F[k + 3 * m], 4), tw + 6 * k * fstride);
            const tinycc_cpx16 s5 = tinycc_fft_sub(f0, s1);
            tinycc_cpx16 s3, s4;
            f0 = tinycc_fft_add(f0, s1);
            s3 = tinycc_fft_add(s0, s2);
            s4 = tinycc_fft_sub(s0, s2);
            F[k + 2 * m] = tinycc_fft_sub(f0, s3);
            F[k] = tinycc_fft_add(f0, s3);
            F[k + m].r = tinycc_fft_w(s5.r + s4.i);
            F[k + m].i = tinycc_fft_w(s5.i - s4.r);
            F[k + 3 * m].r = tinycc_fft_w(s5.r - s4.i);
            F[k + 3 * m].i = tinycc_fft_w(s5.i + s4.r);
        }
    } else {                                   /* p == 5 (tinycc refuses other radices) */
        const int16_t *ya = tw + 2 * fstride * m, *yb = tw + 4 * fstride * m;
        for (k = 0; k < m; ++k) {
            const tinycc_cpx16 s0 = tinycc_fft_div(F[k], 5);
            const tinycc_cpx16 s1 = tinycc_fft_mul(tinycc_fft_div(F[k + m], 5), tw + 2 * k * fstride);
            const tinycc_cpx16 s2 = tinycc_fft_mul(tinycc_fft_div(F[k + 2 * m], 5), tw + 4 * k * fstride);
            const tinycc_cpx16 s3 = tinycc_fft_mul(tinycc_fft_div(F[k + 3 * m], 5), tw + 6 * k * fstride);
            const tinycc_cpx16 s4 = tinycc_fft_mul(tinycc_fft_div(F[k + 4 * m], 5), tw + 8 * k * fstride);
            const tinycc_cpx16 s7 = tinycc_fft_add(s1, s4), s10 = tinycc_fft_sub(s1, s4);
            const tinycc_cpx16 s8 = tinycc_fft_add(s2, s3), s9 = tinycc_fft_sub(s2, s3);
            tinycc_cpx16 s5, s6, s11, s12;
            F[k].r = tinycc_fft_w(s0.r + s7.r + s8.r);
            F[k].i = tinycc_fft_w(s0.i + s7.i + s8.i);
            s5.r = tinycc_fft_w(s0.r + tinycc_fft_round((int32_t)s7.r * ya[0]) + tinycc_fft_round((int32_t)s8.r * yb[0]));
            s5.i = tinycc_fft_w(s0.i + tinycc_fft_round((int32_t)s7.i * ya[0]) + tinycc_fft_round((int32_t)s8.i * yb[0]));
            s6.r = tinycc_fft_w(tinycc_fft_round((int32_t)s10.i * ya[1]) + tinycc_fft_round((int32_t)s9.i * yb[1]));
            s6.i = tinycc_fft_w(-tinycc_fft_round((int32_t)s10.r * ya[1]) - tinycc_fft_round((int32_t)s9.r * yb[1]));
            F[k + m] = tinycc_fft_sub(s5, s6);
            F[k + 4 * m] = tinycc_fft_add(s5, s6);
            s11.r = tinycc_fft_w(s0.r + tinycc_fft_round((int32_t)s7.r * yb[0]) + tinycc_fft_round((int32_t)s8.r * ya[0]));
            s11.i = tinycc_fft_w(s0.i + tinycc_fft_round((int32_t)s7.i * yb[0]) + tinycc_fft_round((int32_t)s8.i * ya[0]));
            s12.r = tinycc_fft_w(-tinycc_fft_round((int32_t)s10.i * yb[1]) + tinycc_fft_round((int32_t)s9.i * ya[1]));
            s12.i = tinycc_fft_w(tinycc_fft_round((int32_t)s10.r * yb[1]) - tinycc_fft_round((int32_t)s9.r * ya[1]));
            F[k + 2 * m] = tinycc_fft_add(s11, s12);
            F[k + 3 * m] = tinycc_fft_sub(s11, s12);
        }
    }
}

static void tinycc_fft_work(tinycc_cpx16 *F, const tinycc_cpx16 *f, int32_t fstride, const int32_t *factors,
                            const int16_t *tw) {
    const int32_t p = factors[0], m = factors[1];
    int32_t q;
    for (q = 0; q < p; ++q) {
        if (m == 1) F[q] = f[q * fstride];
        else tinycc_fft_work(F + q * m, f + q * fstride, fstride * p, factors + 2, tw);
    }
    tinycc_fft_bfly(F, p, fstride, tw, m);
}

/* frames x frame samples -> frames x (n + 1) bins; work: n complex, frame_buf: 2n int16 (n = fft_length / 2) */
static inline void tinycc_signal_rfft_s16(int32_t frames, int32_t frame, int32_t n, const int32_t *factors,
                                          const int16_t *tw, const int16_t *super_tw, const int16_t *x, int16_t *y,
                                          tinycc_cpx16 *work, tinycc_cpx16 *frame_buf) {
    int32_t b, k;
    for (b = 0; b < frames; ++b) {
        const int16_t *in = x + b * frame;
        int16_t *out = y + b * 2 * (n + 1);
        tinycc_cpx16 tdc;
        for (k = 0; k < n; ++k) {
            frame_buf[k].r = 2 * k < frame ? in[2 * k] : 0;
            frame_buf[k].i = 2 * k + 1 < frame ? in[2 * k + 1] : 0;
        }
        tinycc_fft_work(work, frame_buf, 1, factors, tw);
        tdc = tinycc_fft_div(work[0], 2);
        out[0] = tinycc_fft_w(tdc.r + tdc.i);
        out[1] = 0;
        out[2 * n] = tinycc_fft_w(tdc.r - tdc.i);
        out[2 * n + 1] = 0;
        for (k = 1; k <= n / 2; ++k) {
            tinycc_cpx16 fpk = tinycc_fft_div(work[k], 2), fpnk, f1k, f2k, t;
            fpnk.r = work[n - k].r;
            fpnk.i = tinycc_fft_w(-(int32_t)work[n - k].i);
            fpnk = tinycc_fft_div(fpnk, 2);
            f1k = tinycc_fft_add(fpk, fpnk);
            f2k = tinycc_fft_sub(fpk, fpnk);
            t = tinycc_fft_mul(f2k, super_tw + 2 * (k - 1));
            out[2 * k] = tinycc_fft_w((f1k.r + t.r) >> 1);
            out[2 * k + 1] = tinycc_fft_w((f1k.i + t.i) >> 1);
            out[2 * (n - k)] = tinycc_fft_w((f1k.r - t.r) >> 1);
            out[2 * (n - k) + 1] = tinycc_fft_w((t.i - f1k.i) >> 1);
        }
    }
}

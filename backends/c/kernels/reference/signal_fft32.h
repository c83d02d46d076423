/* SignalRfft / SignalIrfft int32 and SignalRfft float32. int32: KISS FFT in Q31 as TF Lite Micro's
 * signal library builds it (FIXED_POINT 32), bit for bit: 64-bit products rounded
 * (x + 2^30) >> 31, each stage dividing by its radix, sums wrapping to int32 (also before HALF_OF's
 * shift); twiddles and factors come from tinycc as constants; `inv` selects the inverse radix-4
 * branch. float32 forward: the exact DFT in double over a cos/sin table. */
typedef struct { int32_t r, i; } tinycc_cpx32;

static inline int32_t tinycc_fft32_w(int64_t x) {
    const uint32_t u = (uint32_t)(uint64_t)x;
    return u < 0x80000000u ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
}
static inline int32_t tinycc_fft32_round(int64_t x) { return tinycc_fft32_w((x + ((int64_t)1 << 30)) >> 31); }

static inline tinycc_cpx32 tinycc_fft32_mul(tinycc_cpx32 a, const int32_t *tw) {
    tinycc_cpx32 m;
    m.r = tinycc_fft32_round((int64_t)a.r * tw[0] - (int64_t)a.i * tw[1]);
    m.i = tinycc_fft32_round((int64_t)a.r * tw[1] + (int64_t)a.i * tw[0]);
    return m;
}
static inline tinycc_cpx32 tinycc_fft32_div(tinycc_cpx32 a, int32_t k) {
    tinycc_cpx32 d;
    d.r = tinycc_fft32_round((int64_t)a.r * (2147483647 / k));
    d.i = tinycc_fft32_round((int64_t)a.i * (2147483647 / k));
    return d;
}
static inline tinycc_cpx32 tinycc_fft32_add(tinycc_cpx32 a, tinycc_cpx32 b) {
    tinycc_cpx32 s;
    s.r = tinycc_fft32_w((int64_t)a.r + b.r);
    s.i = tinycc_fft32_w((int64_t)a.i + b.i);
    return s;
}
static inline tinycc_cpx32 tinycc_fft32_sub(tinycc_cpx32 a, tinycc_cpx32 b) {
    tinycc_cpx32 s;
    s.r = tinycc_fft32_w((int64_t)a.r - b.r);
    s.i = tinycc_fft32_w((int64_t)a.i - b.i);
    return s;
}
static inline int32_t tinycc_fft32_sm(int32_t a, int32_t b) { return tinycc_fft32_round((int64_t)a * b); }

static void tinycc_fft32_bfly(tinycc_cpx32 *F, int32_t p, int32_t fstride, const int32_t *tw, int32_t m, int inv) {
    int32_t k;
    for (k = 0; k < m; ++k) {
        if (p == 2) {
            const tinycc_cpx32 a = tinycc_fft32_div(F[k], 2);
            const tinycc_cpx32 t = tinycc_fft32_mul(tinycc_fft32_div(F[k + m], 2), tw + 2 * k * fstride);
            F[k + m] = tinycc_fft32_sub(a, t);
            F[k] = tinycc_fft32_add(a, t);
        } else if (p == 3) {
            const int32_t epi3 = tw[2 * fstride * m + 1];
            const tinycc_cpx32 f0 = tinycc_fft32_div(F[k], 3);
            const tinycc_cpx32 s1 = tinycc_fft32_mul(tinycc_fft32_div(F[k + m], 3), tw + 2 * k * fstride);
            const tinycc_cpx32 s2 = tinycc_fft32_mul(tinycc_fft32_div(F[k + 2 * m], 3), tw + 4 * k * fstride);
            const tinycc_cpx32 s3 = tinycc_fft32_add(s1, s2);
            tinycc_cpx32 s0 = tinycc_fft32_sub(s1, s2), f1;
            f1.r = tinycc_fft32_w((int64_t)f0.r - (s3.r >> 1));
            f1.i = tinycc_fft32_w((int64_t)f0.i - (s3.i >> 1));
            s0.r = tinycc_fft32_sm(s0.r, epi3);
            s0.i = tinycc_fft32_sm(s0.i, epi3);
            F[k] = tinycc_fft32_add(f0, s3);
            F[k + 2 * m].r = tinycc_fft32_w((int64_t)f1.r + s0.i);
            F[k + 2 * m].i = tinycc_fft32_w((int64_t)f1.i - s0.r);
            F[k + m].r = tinycc_fft32_w((int64_t)f1.r - s0.i);
            F[k + m].i = tinycc_fft32_w((int64_t)f1.i + s0.r);
        } else if (p == 4) {
            tinycc_cpx32 f0 = tinycc_fft32_div(F[k], 4), s3, s4, a, b;
            const tinycc_cpx32 s0 = tinycc_fft32_mul(tinycc_fft32_div(F[k + m], 4), tw + 2 * k * fstride);
            const tinycc_cpx32 s1 = tinycc_fft32_mul(tinycc_fft32_div(F[k + 2 * m], 4), tw + 4 * k * fstride);
            const tinycc_cpx32 s2 = tinycc_fft32_mul(tinycc_fft32_div(F[k + 3 * m], 4), tw + 6 * k * fstride);
            const tinycc_cpx32 s5 = tinycc_fft32_sub(f0, s1);
            f0 = tinycc_fft32_add(f0, s1);
            s3 = tinycc_fft32_add(s0, s2);
            s4 = tinycc_fft32_sub(s0, s2);
            F[k + 2 * m] = tinycc_fft32_sub(f0, s3);
            F[k] = tinycc_fft32_add(f0, s3);
            a.r = tinycc_fft32_w((int64_t)s5.r + s4.i);
            a.i = tinycc_fft32_w((int64_t)s5.i - s4.r);
            b.r = tinycc_fft32_w((int64_t)s5.r - s4.i);
            b.i = tinycc_fft32_w((int64_t)s5.i + s4.r);
            F[k + m] = inv ? b : a;
            F[k + 3 * m] = inv ? a : b;
        } else {                                   /* p == 5 (tinycc refuses other radices) */
            const int32_t *ya = tw + 2 * fstride * m, *yb = tw + 4 * fstride * m;
            const tinycc_cpx32 s0 = tinycc_fft32_div(F[k], 5);
            const tinycc_cpx32 s1 = tinycc_fft32_mul(tinycc_fft32_div(F[k + m], 5), tw + 2 * k * fstride);
            const tinycc_cpx32 s2 = tinycc_fft32_mul(tinycc_fft32_div(F[k + 2 * m], 5), tw + 4 * k * fstride);
            const tinycc_cpx32 s3 = tinycc_fft32_mul(tinycc_fft32_div(F[k + 3 * m], 5), tw + 6 * k * fstride);
            const tinycc_cpx32 s4 = tinycc_fft32_mul(tinycc_fft32_div(F[k + 4 * m], 5), tw + 8 * k * fstride);
            const tinycc_cpx32 s7 = tinycc_fft32_add(s1, s4), s10 = tinycc_fft32_sub(s1, s4);
            const tinycc_cpx32 s8 = tinycc_fft32_add(s2, s3), s9 = tinycc_fft32_sub(s2, s3);
            tinycc_cpx32 s5, s6, s11, s12;
            F[k].r = tinycc_fft32_w((int64_t)s0.r + s7.r + s8.r);
            F[k].i = tinycc_fft32_w((int64_t)s0.i + s7.i + s8.i);
            s5.r = tinycc_fft32_w((int64_t)s0.r + tinycc_fft32_sm(s7.r, ya[0]) + tinycc_fft32_sm(s8.r, yb[0]));
            s5.i = tinycc_fft32_w((int64_t)s0.i + tinycc_fft32_sm(s7.i, ya[0]) + tinycc_fft32_sm(s8.i, yb[0]));
            s6.r = tinycc_fft32_w((int64_t)tinycc_fft32_sm(s10.i, ya[1]) + tinycc_fft32_sm(s9.i, yb[1]));
            s6.i = tinycc_fft32_w(-(int64_t)tinycc_fft32_sm(s10.r, ya[1]) - tinycc_fft32_sm(s9.r, yb[1]));
            F[k + m] = tinycc_fft32_sub(s5, s6);
            F[k + 4 * m] = tinycc_fft32_add(s5, s6);
            s11.r = tinycc_fft32_w((int64_t)s0.r + tinycc_fft32_sm(s7.r, yb[0]) + tinycc_fft32_sm(s8.r, ya[0]));
            s11.i = tinycc_fft32_w((int64_t)s0.i + tinycc_fft32_sm(s7.i, yb[0]) + tinycc_fft32_sm(s8.i, ya[0]));
            s12.r = tinycc_fft32_w(-(int64_t)tinycc_fft32_sm(s10.i, yb[1]) + tinycc_fft32_sm(s9.i, ya[1]));
            s12.i = tinycc_fft32_w((int64_t)tinycc_fft32_sm(s10.r, yb[1]) - tinycc_fft32_sm(s9.r, ya[1]));
            F[k + 2 * m] = tinycc_fft32_add(s11, s12);
            F[k + 3 * m] = tinycc_fft32_sub(s11, s12);
        }
    }
}

static void tinycc_fft32_work(tinycc_cpx32 *F, const tinycc_cpx32 *f, int32_t fstride, const int32_t *factors,
                              const int32_t *tw, int inv) {
    const int32_t p = factors[0], m = factors[1];
    int32_t q;
    for (q = 0; q < p; ++q) {
        if (m == 1) F[q] = f[q * fstride];
        else tinycc_fft32_work(F + q * m, f + q * fstride, fstride * p, factors + 2, tw, inv);
    }
    tinycc_fft32_bfly(F, p, fstride, tw, m, inv);
}

/* frames x frame samples -> frames x (n + 1) bins; work, frame_buf: n complex each (n = fft_length / 2) */
static inline void tinycc_signal_rfft_s32(int32_t frames, int32_t frame, int32_t n, const int32_t *factors,
                                          const int32_t *tw, const int32_t *super_tw, const int32_t *x, int32_t *y,
                                          tinycc_cpx32 *work, tinycc_cpx32 *frame_buf) {
    int32_t b, k;
    for (b = 0; b < frames; ++b) {
        const int32_t *in = x + (long)b * frame;
        int32_t *out = y + (long)b * 2 * (n + 1);
        tinycc_cpx32 tdc;
        for (k = 0; k < n; ++k) {
            frame_buf[k].r = 2 * k < frame ? in[2 * k] : 0;
            frame_buf[k].i = 2 * k + 1 < frame ? in[2 * k + 1] : 0;
        }
        tinycc_fft32_work(work, frame_buf, 1, factors, tw, 0);
        tdc = tinycc_fft32_div(work[0], 2);
        out[0] = tinycc_fft32_w((int64_t)tdc.r + tdc.i);
        out[1] = 0;
        out[2 * n] = tinycc_fft32_w((int64_t)tdc.r - tdc.i);
        out[2 * n + 1] = 0;
        for (k = 1; k <= n / 2; ++k) {
            tinycc_cpx32 fpk = tinycc_fft32_div(work[k], 2), fpnk, f1k, f2k, t;
            fpnk.r = work[n - k].r;
            fpnk.i = tinycc_fft32_w(-(int64_t)work[n - k].i);
            fpnk = tinycc_fft32_div(fpnk, 2);
            f1k = tinycc_fft32_add(fpk, fpnk);
            f2k = tinycc_fft32_sub(fpk, fpnk);
            t = tinycc_fft32_mul(f2k, super_tw + 2 * (k - 1));
            out[2 * k] = tinycc_fft32_w((int64_t)f1k.r + t.r) >> 1;
            out[2 * k + 1] = tinycc_fft32_w((int64_t)f1k.i + t.i) >> 1;
            out[2 * (n - k)] = tinycc_fft32_w((int64_t)f1k.r - t.r) >> 1;
            out[2 * (n - k) + 1] = tinycc_fft32_w((int64_t)t.i - f1k.i) >> 1;
        }
    }
}

/* frames x (n + 1) bins -> frames x 2n samples; tmp, work: n complex each */
static inline void tinycc_signal_irfft_s32(int32_t frames, int32_t n, const int32_t *factors, const int32_t *tw,
                                           const int32_t *super_tw, const int32_t *x, int32_t *y,
                                           tinycc_cpx32 *tmp, tinycc_cpx32 *work) {
    int32_t b, k;
    for (b = 0; b < frames; ++b) {
        const int32_t *in = x + (long)b * 2 * (n + 1);
        int32_t *out = y + (long)b * 2 * n;
        tinycc_cpx32 t0;
        t0.r = tinycc_fft32_w((int64_t)in[0] + in[2 * n]);
        t0.i = tinycc_fft32_w((int64_t)in[0] - in[2 * n]);
        tmp[0] = tinycc_fft32_div(t0, 2);
        for (k = 1; k <= n / 2; ++k) {
            tinycc_cpx32 fk, fnkc, fek, fok, d, lo;
            fk.r = in[2 * k];
            fk.i = in[2 * k + 1];
            fnkc.r = in[2 * (n - k)];
            fnkc.i = tinycc_fft32_w(-(int64_t)in[2 * (n - k) + 1]);
            fk = tinycc_fft32_div(fk, 2);
            fnkc = tinycc_fft32_div(fnkc, 2);
            fek = tinycc_fft32_add(fk, fnkc);
            d = tinycc_fft32_sub(fk, fnkc);
            fok = tinycc_fft32_mul(d, super_tw + 2 * (k - 1));
            tmp[k] = tinycc_fft32_add(fek, fok);
            lo = tinycc_fft32_sub(fek, fok);
            lo.i = tinycc_fft32_w(-(int64_t)lo.i);
            tmp[n - k] = lo;
        }
        tinycc_fft32_work(work, tmp, 1, factors, tw, 1);
        for (k = 0; k < n; ++k) {
            out[2 * k] = work[k].r;
            out[2 * k + 1] = work[k].i;
        }
    }
}

/* frames x frame samples (zero-padded to len) -> frames x (len/2 + 1) bins; cs: len (cos, sin) pairs */
static inline void tinycc_signal_rfft_f32(int32_t frames, int32_t frame, int32_t len, const float *cs,
                                          const float *x, float *y) {
    int32_t b, k, t;
    for (b = 0; b < frames; ++b) {
        const float *in = x + (long)b * frame;
        float *out = y + (long)b * (len + 2);
        for (k = 0; k <= len / 2; ++k) {
            double re = 0.0, im = 0.0;
            long j = 0;
            for (t = 0; t < frame; ++t) {
                re += (double)in[t] * cs[2 * j];
                im -= (double)in[t] * cs[2 * j + 1];
                j += k;
                if (j >= len) j -= len;
            }
            out[2 * k] = (float)re;
            out[2 * k + 1] = (float)im;
        }
    }
}

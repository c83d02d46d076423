/* SignalIrfft: KISS FFT's inverse real FFT (kiss_fftri) as TF Lite Micro's signal library builds it.
 * int16: Q15 bit for bit, over signal_fft.h's butterflies with the inverse twiddles tinycc passes,
 * except radix 4, whose inverse branch swaps the outputs 1 and 3. float32: the exact inverse
 * (kiss_fftri / fft_length) as a direct sum in double over a cos/sin table. Needs signal_fft.h. */

static void tinycc_ifft_bfly4(tinycc_cpx16 *F, int32_t fstride, const int16_t *tw, int32_t m) {
    int32_t k;
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
        F[k + m].r = tinycc_fft_w(s5.r - s4.i);
        F[k + m].i = tinycc_fft_w(s5.i + s4.r);
        F[k + 3 * m].r = tinycc_fft_w(s5.r + s4.i);
        F[k + 3 * m].i = tinycc_fft_w(s5.i - s4.r);
    }
}

static void tinycc_ifft_work(tinycc_cpx16 *F, const tinycc_cpx16 *f, int32_t fstride, const int32_t *factors,
                             const int16_t *tw) {
    const int32_t p = factors[0], m = factors[1];
    int32_t q;
    for (q = 0; q < p; ++q) {
        if (m == 1) F[q] = f[q * fstride];
        else tinycc_ifft_work(F + q * m, f + q * fstride, fstride * p, factors + 2, tw);
    }
    if (p == 4) tinycc_ifft_bfly4(F, fstride, tw, m);
    else tinycc_fft_bfly(F, p, fstride, tw, m);
}

/* frames x (n + 1) bins -> frames x 2n samples; tmp, work: n complex each (n = fft_length / 2) */
static inline void tinycc_signal_irfft_s16(int32_t frames, int32_t n, const int32_t *factors, const int16_t *tw,
                                           const int16_t *super_tw, const int16_t *x, int16_t *y,
                                           tinycc_cpx16 *tmp, tinycc_cpx16 *work) {
    int32_t b, k;
    for (b = 0; b < frames; ++b) {
        const int16_t *in = x + (long)b * 2 * (n + 1);
        int16_t *out = y + (long)b * 2 * n;
        tinycc_cpx16 t0;
        t0.r = tinycc_fft_w(in[0] + in[2 * n]);
        t0.i = tinycc_fft_w(in[0] - in[2 * n]);
        tmp[0] = tinycc_fft_div(t0, 2);
        for (k = 1; k <= n / 2; ++k) {
            tinycc_cpx16 fk, fnkc, fek, fok, d, lo;
            fk.r = in[2 * k];
            fk.i = in[2 * k + 1];
            fnkc.r = in[2 * (n - k)];
            fnkc.i = tinycc_fft_w(-(int32_t)in[2 * (n - k) + 1]);
            fk = tinycc_fft_div(fk, 2);
            fnkc = tinycc_fft_div(fnkc, 2);
            fek = tinycc_fft_add(fk, fnkc);
            d = tinycc_fft_sub(fk, fnkc);
            fok = tinycc_fft_mul(d, super_tw + 2 * (k - 1));
            tmp[k] = tinycc_fft_add(fek, fok);
            lo = tinycc_fft_sub(fek, fok);
            lo.i = tinycc_fft_w(-(int32_t)lo.i);
            tmp[n - k] = lo;
        }
        tinycc_ifft_work(work, tmp, 1, factors, tw);
        for (k = 0; k < n; ++k) {
            out[2 * k] = work[k].r;
            out[2 * k + 1] = work[k].i;
        }
    }
}

/* frames x (len/2 + 1) bins -> frames x len samples; cs: len (cos, sin) pairs of 2 pi j / len */
static inline void tinycc_signal_irfft_f32(int32_t frames, int32_t len, const float *cs, const float *x, float *y) {
    int32_t b, t, k, half = len / 2;
    for (b = 0; b < frames; ++b) {
        const float *in = x + (long)b * (len + 2);
        float *out = y + (long)b * len;
        for (t = 0; t < len; ++t) {
            double acc = (double)in[0] + ((t & 1) ? -(double)in[2 * half] : (double)in[2 * half]);
            long j = 0;
            for (k = 1; k < half; ++k) {
                j += t;
                if (j >= len) j %= len;
                acc += 2.0 * ((double)in[2 * k] * cs[2 * j] - (double)in[2 * k + 1] * cs[2 * j + 1]);
            }
            out[t] = (float)(acc / len);
        }
    }
}

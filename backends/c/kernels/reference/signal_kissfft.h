/* KISS FFT in fixed point as TF Lite Micro's signal library builds it (SignalRfft, SignalIrfft: kiss_fftr,
 * kiss_fftri), bit for bit, written once for both of its sample types: @B@-bit samples (Q@B@ minus one,
 * tinycc_cpx@B@), products and sums in @ACC@. Products are rounded (x + 2^(B-2)) >> (B-1), every stage
 * divides by its radix, stores wrap to the sample type; twiddles (r, i pairs) and the factor list
 * come from tinycc as constants; `inv` selects the inverse radix-4 branch (outputs 1 and 3 swapped).
 * Instantiated per type by kernel_units.py (units signal_fft_s16.h, signal_fft_s32.h). */
typedef struct { int@B@_t r, i; } tinycc_cpx@B@;

/* x modulo 2^B as a B-bit two's complement value (TFLM's stores) */
static inline int@B@_t tinycc_fft@B@_w(@ACC@ x) {
    const uint@B@_t u = (uint@B@_t)x;
    return u <= (uint@B@_t)INT@B@_MAX ? (int@B@_t)u : (int@B@_t)(-(@ACC@)(uint@B@_t)~u - 1);
}
/* a sum as TFLM's C computes it in int: int16 operands promote without overflow, int32 ones wrap */
static inline @ACC@ tinycc_fft@B@_int(@ACC@ x) {
    return sizeof(int@B@_t) < sizeof(int) ? x : (@ACC@)tinycc_fft@B@_w(x);
}
static inline int@B@_t tinycc_fft@B@_round(@ACC@ x) {
    return tinycc_fft@B@_w((x + ((@ACC@)1 << (@B@ - 2))) >> (@B@ - 1));
}
static inline int@B@_t tinycc_fft@B@_sm(int@B@_t a, int@B@_t b) { return tinycc_fft@B@_round((@ACC@)a * b); }

static inline tinycc_cpx@B@ tinycc_fft@B@_mul(tinycc_cpx@B@ a, const int@B@_t *tw) {
    tinycc_cpx@B@ m;
    m.r = tinycc_fft@B@_round((@ACC@)a.r * tw[0] - (@ACC@)a.i * tw[1]);
    m.i = tinycc_fft@B@_round((@ACC@)a.r * tw[1] + (@ACC@)a.i * tw[0]);
    return m;
}
static inline tinycc_cpx@B@ tinycc_fft@B@_div(tinycc_cpx@B@ a, int32_t k) {
    tinycc_cpx@B@ d;
    d.r = tinycc_fft@B@_round((@ACC@)a.r * (INT@B@_MAX / k));
    d.i = tinycc_fft@B@_round((@ACC@)a.i * (INT@B@_MAX / k));
    return d;
}
static inline tinycc_cpx@B@ tinycc_fft@B@_add(tinycc_cpx@B@ a, tinycc_cpx@B@ b) {
    tinycc_cpx@B@ s;
    s.r = tinycc_fft@B@_w((@ACC@)a.r + b.r);
    s.i = tinycc_fft@B@_w((@ACC@)a.i + b.i);
    return s;
}
static inline tinycc_cpx@B@ tinycc_fft@B@_sub(tinycc_cpx@B@ a, tinycc_cpx@B@ b) {
    tinycc_cpx@B@ s;
    s.r = tinycc_fft@B@_w((@ACC@)a.r - b.r);
    s.i = tinycc_fft@B@_w((@ACC@)a.i - b.i);
    return s;
}

static void tinycc_fft@B@_bfly(tinycc_cpx@B@ *F, int32_t p, int32_t fstride, const int@B@_t *tw, int32_t m,
                               int inv) {
    int32_t k;
    if (p == 2) {
        for (k = 0; k < m; ++k) {
            const tinycc_cpx@B@ a = tinycc_fft@B@_div(F[k], 2);
            const tinycc_cpx@B@ t = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + m], 2), tw + 2 * k * fstride);
            F[k + m] = tinycc_fft@B@_sub(a, t);
            F[k] = tinycc_fft@B@_add(a, t);
        }
    } else if (p == 3) {
        const int@B@_t epi3 = tw[2 * fstride * m + 1];
        for (k = 0; k < m; ++k) {
            const tinycc_cpx@B@ f0 = tinycc_fft@B@_div(F[k], 3);
            const tinycc_cpx@B@ s1 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + m], 3), tw + 2 * k * fstride);
            const tinycc_cpx@B@ s2 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + 2 * m], 3), tw + 4 * k * fstride);
            const tinycc_cpx@B@ s3 = tinycc_fft@B@_add(s1, s2);
            tinycc_cpx@B@ s0 = tinycc_fft@B@_sub(s1, s2), f1;
            f1.r = tinycc_fft@B@_w((@ACC@)f0.r - (s3.r >> 1));
            f1.i = tinycc_fft@B@_w((@ACC@)f0.i - (s3.i >> 1));
            s0.r = tinycc_fft@B@_sm(s0.r, epi3);
            s0.i = tinycc_fft@B@_sm(s0.i, epi3);
            F[k] = tinycc_fft@B@_add(f0, s3);
            F[k + 2 * m].r = tinycc_fft@B@_w((@ACC@)f1.r + s0.i);
            F[k + 2 * m].i = tinycc_fft@B@_w((@ACC@)f1.i - s0.r);
            F[k + m].r = tinycc_fft@B@_w((@ACC@)f1.r - s0.i);
            F[k + m].i = tinycc_fft@B@_w((@ACC@)f1.i + s0.r);
        }
    } else if (p == 4) {
        for (k = 0; k < m; ++k) {
            tinycc_cpx@B@ f0 = tinycc_fft@B@_div(F[k], 4), s3, s4, a, b;
            const tinycc_cpx@B@ s0 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + m], 4), tw + 2 * k * fstride);
            const tinycc_cpx@B@ s1 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + 2 * m], 4), tw + 4 * k * fstride);
            const tinycc_cpx@B@ s2 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + 3 * m], 4), tw + 6 * k * fstride);
            const tinycc_cpx@B@ s5 = tinycc_fft@B@_sub(f0, s1);
            f0 = tinycc_fft@B@_add(f0, s1);
            s3 = tinycc_fft@B@_add(s0, s2);
            s4 = tinycc_fft@B@_sub(s0, s2);
            F[k + 2 * m] = tinycc_fft@B@_sub(f0, s3);
            F[k] = tinycc_fft@B@_add(f0, s3);
            a.r = tinycc_fft@B@_w((@ACC@)s5.r + s4.i);
            a.i = tinycc_fft@B@_w((@ACC@)s5.i - s4.r);
            b.r = tinycc_fft@B@_w((@ACC@)s5.r - s4.i);
            b.i = tinycc_fft@B@_w((@ACC@)s5.i + s4.r);
            F[k + m] = inv ? b : a;
            F[k + 3 * m] = inv ? a : b;
        }
    } else {                                   /* p == 5 (tinycc refuses other radices) */
        const int@B@_t *ya = tw + 2 * fstride * m, *yb = tw + 4 * fstride * m;
        for (k = 0; k < m; ++k) {
            const tinycc_cpx@B@ s0 = tinycc_fft@B@_div(F[k], 5);
            const tinycc_cpx@B@ s1 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + m], 5), tw + 2 * k * fstride);
            const tinycc_cpx@B@ s2 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + 2 * m], 5), tw + 4 * k * fstride);
            const tinycc_cpx@B@ s3 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + 3 * m], 5), tw + 6 * k * fstride);
            const tinycc_cpx@B@ s4 = tinycc_fft@B@_mul(tinycc_fft@B@_div(F[k + 4 * m], 5), tw + 8 * k * fstride);
            const tinycc_cpx@B@ s7 = tinycc_fft@B@_add(s1, s4), s10 = tinycc_fft@B@_sub(s1, s4);
            const tinycc_cpx@B@ s8 = tinycc_fft@B@_add(s2, s3), s9 = tinycc_fft@B@_sub(s2, s3);
            tinycc_cpx@B@ s5, s6, s11, s12;
            F[k].r = tinycc_fft@B@_w((@ACC@)s0.r + s7.r + s8.r);
            F[k].i = tinycc_fft@B@_w((@ACC@)s0.i + s7.i + s8.i);
            s5.r = tinycc_fft@B@_w((@ACC@)s0.r + tinycc_fft@B@_sm(s7.r, ya[0]) + tinycc_fft@B@_sm(s8.r, yb[0]));
            s5.i = tinycc_fft@B@_w((@ACC@)s0.i + tinycc_fft@B@_sm(s7.i, ya[0]) + tinycc_fft@B@_sm(s8.i, yb[0]));
            s6.r = tinycc_fft@B@_w((@ACC@)tinycc_fft@B@_sm(s10.i, ya[1]) + tinycc_fft@B@_sm(s9.i, yb[1]));
            s6.i = tinycc_fft@B@_w(-(@ACC@)tinycc_fft@B@_sm(s10.r, ya[1]) - tinycc_fft@B@_sm(s9.r, yb[1]));
            F[k + m] = tinycc_fft@B@_sub(s5, s6);
            F[k + 4 * m] = tinycc_fft@B@_add(s5, s6);
            s11.r = tinycc_fft@B@_w((@ACC@)s0.r + tinycc_fft@B@_sm(s7.r, yb[0]) + tinycc_fft@B@_sm(s8.r, ya[0]));
            s11.i = tinycc_fft@B@_w((@ACC@)s0.i + tinycc_fft@B@_sm(s7.i, yb[0]) + tinycc_fft@B@_sm(s8.i, ya[0]));
            s12.r = tinycc_fft@B@_w(-(@ACC@)tinycc_fft@B@_sm(s10.i, yb[1]) + tinycc_fft@B@_sm(s9.i, ya[1]));
            s12.i = tinycc_fft@B@_w((@ACC@)tinycc_fft@B@_sm(s10.r, yb[1]) - tinycc_fft@B@_sm(s9.r, ya[1]));
            F[k + 2 * m] = tinycc_fft@B@_add(s11, s12);
            F[k + 3 * m] = tinycc_fft@B@_sub(s11, s12);
        }
    }
}

/* the complex FFT of f (stride fstride) into F, out of place (F and f never overlap) */
static void tinycc_fft@B@_work(tinycc_cpx@B@ *F, const tinycc_cpx@B@ *f, int32_t fstride, const int32_t *factors,
                               const int@B@_t *tw, int inv) {
    const int32_t p = factors[0], m = factors[1];
    int32_t q;
    for (q = 0; q < p; ++q) {
        if (m == 1) F[q] = f[q * fstride];
        else tinycc_fft@B@_work(F + q * m, f + q * fstride, fstride * p, factors + 2, tw, inv);
    }
    tinycc_fft@B@_bfly(F, p, fstride, tw, m, inv);
}

/* SignalRfft: frames x frame samples (zero-padded to 2n) -> frames x (n + 1) bins (n = fft_length / 2).
 * frame_buf: n complex (the planned scratch); the FFT works in the output row, whose (n + 1) complex
 * slots the split step below reads (k, n - k) and rewrites pair by pair. */
static inline void tinycc_signal_rfft_s@B@(int32_t frames, int32_t frame, int32_t n, const int32_t *factors,
                                           const int@B@_t *tw, const int@B@_t *super_tw, const int@B@_t *x,
                                           int@B@_t *y, tinycc_cpx@B@ *frame_buf) {
    int32_t b, k;
    for (b = 0; b < frames; ++b) {
        const int@B@_t *in = x + (long)b * frame;
        int@B@_t *out = y + (long)b * 2 * (n + 1);
        tinycc_cpx@B@ *work = (tinycc_cpx@B@ *)out, tdc;
        for (k = 0; k < n; ++k) {
            frame_buf[k].r = 2 * k < frame ? in[2 * k] : 0;
            frame_buf[k].i = 2 * k + 1 < frame ? in[2 * k + 1] : 0;
        }
        tinycc_fft@B@_work(work, frame_buf, 1, factors, tw, 0);
        tdc = tinycc_fft@B@_div(work[0], 2);
        out[0] = tinycc_fft@B@_w((@ACC@)tdc.r + tdc.i);
        out[1] = 0;
        out[2 * n] = tinycc_fft@B@_w((@ACC@)tdc.r - tdc.i);
        out[2 * n + 1] = 0;
        for (k = 1; k <= n / 2; ++k) {
            tinycc_cpx@B@ fpk = tinycc_fft@B@_div(work[k], 2), fpnk, f1k, f2k, t;
            fpnk.r = work[n - k].r;
            fpnk.i = tinycc_fft@B@_w(-(@ACC@)work[n - k].i);
            fpnk = tinycc_fft@B@_div(fpnk, 2);
            f1k = tinycc_fft@B@_add(fpk, fpnk);
            f2k = tinycc_fft@B@_sub(fpk, fpnk);
            t = tinycc_fft@B@_mul(f2k, super_tw + 2 * (k - 1));
            out[2 * k] = tinycc_fft@B@_w(tinycc_fft@B@_int((@ACC@)f1k.r + t.r) >> 1);
            out[2 * k + 1] = tinycc_fft@B@_w(tinycc_fft@B@_int((@ACC@)f1k.i + t.i) >> 1);
            out[2 * (n - k)] = tinycc_fft@B@_w(tinycc_fft@B@_int((@ACC@)f1k.r - t.r) >> 1);
            out[2 * (n - k) + 1] = tinycc_fft@B@_w(tinycc_fft@B@_int((@ACC@)t.i - f1k.i) >> 1);
        }
    }
}

/* SignalIrfft: frames x (n + 1) bins -> frames x 2n samples. tmp: n complex (the planned scratch);
 * the inverse FFT writes the output row, n complex, directly. */
static inline void tinycc_signal_irfft_s@B@(int32_t frames, int32_t n, const int32_t *factors, const int@B@_t *tw,
                                            const int@B@_t *super_tw, const int@B@_t *x, int@B@_t *y,
                                            tinycc_cpx@B@ *tmp) {
    int32_t b, k;
    for (b = 0; b < frames; ++b) {
        const int@B@_t *in = x + (long)b * 2 * (n + 1);
        tinycc_cpx@B@ t0;
        t0.r = tinycc_fft@B@_w((@ACC@)in[0] + in[2 * n]);
        t0.i = tinycc_fft@B@_w((@ACC@)in[0] - in[2 * n]);
        tmp[0] = tinycc_fft@B@_div(t0, 2);
        for (k = 1; k <= n / 2; ++k) {
            tinycc_cpx@B@ fk, fnkc, fek, fok, d, lo;
            fk.r = in[2 * k];
            fk.i = in[2 * k + 1];
            fnkc.r = in[2 * (n - k)];
            fnkc.i = tinycc_fft@B@_w(-(@ACC@)in[2 * (n - k) + 1]);
            fk = tinycc_fft@B@_div(fk, 2);
            fnkc = tinycc_fft@B@_div(fnkc, 2);
            fek = tinycc_fft@B@_add(fk, fnkc);
            d = tinycc_fft@B@_sub(fk, fnkc);
            fok = tinycc_fft@B@_mul(d, super_tw + 2 * (k - 1));
            tmp[k] = tinycc_fft@B@_add(fek, fok);
            lo = tinycc_fft@B@_sub(fek, fok);
            lo.i = tinycc_fft@B@_w(-(@ACC@)lo.i);
            tmp[n - k] = lo;
        }
        tinycc_fft@B@_work((tinycc_cpx@B@ *)(y + (long)b * 2 * n), tmp, 1, factors, tw, 1);
    }
}

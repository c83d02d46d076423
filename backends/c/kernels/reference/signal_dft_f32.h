/* SignalRfft / SignalIrfft float32: the exact transforms as direct sums in double over a table of
 * (cos, sin) of 2 pi j / len (TF Lite Micro's float kissfft agrees within 1e-4); the inverse is
 * kiss_fftri / fft_length, reading only the real parts of the DC and Nyquist bins. */
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

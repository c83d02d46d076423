/* The signal library's stateful kernels (TF Lite Micro signal/micro/kernels delay.cc, overlap_add.cc):
 * their state lives in the model's persistent state buffer (NAME_reset() zeroes it), one line or
 * buffer per outer row. */

/* SignalDelay: out = (history ++ frame)[:frame], history = (history ++ frame)[frame:] */
static inline void tinycc_signal_delay(int32_t outer, int32_t frame, int32_t delay, const int16_t *x, int16_t *y,
                                       int16_t *history) {
    int32_t o, i;
    for (o = 0; o < outer; ++o) {
        const int16_t *in = x + (long)o * frame;
        int16_t *out = y + (long)o * frame, *h = history + (long)o * delay;
        for (i = 0; i < frame; ++i) out[i] = i < delay ? h[i] : in[i - delay];
        if (delay <= frame) {
            for (i = 0; i < delay; ++i) h[i] = in[frame - delay + i];
        } else {
            for (i = 0; i < delay - frame; ++i) h[i] = h[i + frame];
            for (i = 0; i < frame; ++i) h[delay - frame + i] = in[i];
        }
    }
}

/* SignalOverlapAdd: per frame, buffer += frame (int16 saturated), frame_step samples out, buffer shifted */
static inline void tinycc_signal_overlap_add_s16(int32_t outer, int32_t frames, int32_t size, int32_t step,
                                                 const int16_t *x, int16_t *y, int16_t *buffers) {
    int32_t o, f, i;
    for (o = 0; o < outer; ++o) {
        int16_t *buf = buffers + (long)o * size;
        for (f = 0; f < frames; ++f) {
            const int16_t *in = x + ((long)o * frames + f) * size;
            int16_t *out = y + ((long)o * frames + f) * step;
            for (i = 0; i < size; ++i) buf[i] = (int16_t)tinycc_clamp((int32_t)buf[i] + in[i], -32768, 32767);
            for (i = 0; i < step; ++i) out[i] = buf[i];
            for (i = 0; i < size - step; ++i) buf[i] = buf[i + step];
            for (i = size - step; i < size; ++i) buf[i] = 0;
        }
    }
}

static inline void tinycc_signal_overlap_add_f32(int32_t outer, int32_t frames, int32_t size, int32_t step,
                                                 const float *x, float *y, float *buffers) {
    int32_t o, f, i;
    for (o = 0; o < outer; ++o) {
        float *buf = buffers + (long)o * size;
        for (f = 0; f < frames; ++f) {
            const float *in = x + ((long)o * frames + f) * size;
            float *out = y + ((long)o * frames + f) * step;
            for (i = 0; i < size; ++i) buf[i] += in[i];
            for (i = 0; i < step; ++i) out[i] = buf[i];
            for (i = 0; i < size - step; ++i) buf[i] = buf[i + step];
            for (i = size - step; i < size; ++i) buf[i] = 0.0f;
        }
    }
}

/* The signal library's framing kernels (TF Lite Micro signal/micro/kernels stacker.cc, framer.cc):
 * their FIFOs, last outputs and fill counters live in the model's persistent state buffer
 * (NAME_reset() restores them); the FIFOs are linear (oldest sample first), which holds the same
 * samples as TFLM's circular buffers. An output TFLM leaves untouched (output_valid false) repeats
 * the last one written, kept in `last`. */

/* SignalStacker: counters = {fill, has_first_frame} */
static inline void tinycc_signal_stacker(int32_t channels, int32_t left, int32_t size, int32_t step,
                                         const int16_t *x, int16_t *y, uint8_t *valid, int16_t *fifo,
                                         int16_t *last, int32_t *counters) {
    int32_t fill = counters[0], copies = counters[1] ? 1 : left + 1, k, i;
    for (k = 0; k < copies; ++k) {
        for (i = 0; i < channels; ++i) fifo[fill + i] = x[i];
        fill += channels;
    }
    counters[1] = 1;
    *valid = (uint8_t)(fill >= size);
    if (fill >= size) {
        for (i = 0; i < size; ++i) last[i] = fifo[i];
        for (i = 0; i < size - step; ++i) fifo[i] = fifo[i + step];
        fill -= step;
    }
    counters[0] = fill;
    for (i = 0; i < size; ++i) y[i] = last[i];
}

/* SignalFramer: per row, frame_step samples enter its FIFO per frame; a full frame leaves by frame_step */
static inline void tinycc_signal_framer(int32_t outer, int32_t frames, int32_t size, int32_t step, int32_t capacity,
                                        const int16_t *x, int16_t *y, uint8_t *valid, int16_t *fifos,
                                        int16_t *last, int32_t *counters) {
    int32_t o, f, i, fill = counters[0];
    uint8_t ok = 1;
    for (o = 0; o < outer; ++o) {
        int16_t *fifo = fifos + (long)o * capacity;
        fill = counters[0];
        for (f = 0; f < frames; ++f) {
            const int16_t *in = x + ((long)o * frames + f) * step;
            int16_t *out = last + ((long)o * frames + f) * size;
            for (i = 0; i < step; ++i) fifo[fill + i] = in[i];
            fill += step;
            if (fill >= size) {
                for (i = 0; i < size; ++i) out[i] = fifo[i];
                for (i = 0; i < fill - step; ++i) fifo[i] = fifo[i + step];
                fill -= step;
            } else {
                ok = 0;
            }
        }
    }
    counters[0] = fill;
    *valid = ok;
    for (i = 0; i < outer * frames * size; ++i) y[i] = last[i];
}

/* CIRCULAR_BUFFER (TF Lite Micro custom operator): the history of the last `slots` frames of
 * `depth` int8 values (kernel state) shifts by one frame, the input frame enters last, and the
 * output receives the whole history. The countdown (kernel state) restarts at cycles_max when it
 * reaches zero: the return value, 1 on the invokes that complete a cycle, else 0. */
static inline int tinycc_circular_buffer(const int8_t *input, int8_t *output, int8_t *history,
                                         int32_t *countdown, int32_t slots, int32_t depth, int32_t cycles_max) {
    const long keep = (long)(slots - 1) * depth;
    long i;
    for (i = 0; i < keep; ++i) history[i] = history[i + depth];
    for (i = 0; i < depth; ++i) history[keep + i] = input[i];
    for (i = 0; i < keep + depth; ++i) output[i] = history[i];
    if (--*countdown != 0) return 0;
    *countdown = cycles_max;
    return 1;
}

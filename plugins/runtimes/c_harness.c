/* Test harness for the `c` backend (compiled with the generated model, --name model):
 * reads `count` samples of all inputs back to back from argv[1], runs model_invoke on each and
 * writes all outputs back to back to argv[2]. Exit status 0 = every invoke returned 0.
 * Prints the processor time spent inside model_invoke to stderr (for the benchmark).
 * All samples run in one process, so a model's persistent state (variable tensors) carries from one
 * invoke to the next; an optional argv[4] >= 0 calls model_reset() before that sample (a model
 * without state has no model_reset: exit status 2). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "model.h"

int main(int argc, char **argv) {
    const void *inputs[MODEL_NUM_INPUTS];
    void *outputs[MODEL_NUM_OUTPUTS];
    FILE *fin, *fout;
    long count, reset_at = -1, s;
    int i;
    clock_t spent = 0, t0;
    if (argc != 4 && argc != 5) return 2;
    if (argc == 5) reset_at = atol(argv[4]);
#ifndef MODEL_STATE_BYTES
    if (reset_at >= 0) return 2;
#endif
    fin = fopen(argv[1], "rb");
    fout = fopen(argv[2], "wb");
    count = atol(argv[3]);
    if (!fin || !fout) return 3;
    for (i = 0; i < MODEL_NUM_INPUTS; ++i) inputs[i] = malloc(model_input_bytes[i] ? model_input_bytes[i] : 1);
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) outputs[i] = malloc(model_output_bytes[i] ? model_output_bytes[i] : 1);
    for (s = 0; s < count; ++s) {
        for (i = 0; i < MODEL_NUM_INPUTS; ++i)
            if (fread((void *)inputs[i], 1, model_input_bytes[i], fin) != model_input_bytes[i]) return 4;
#ifdef MODEL_STATE_BYTES
        if (s == reset_at) model_reset();
#endif
        t0 = clock();
        if (model_invoke(inputs, outputs) != 0) return 5;
        spent += clock() - t0;
        for (i = 0; i < MODEL_NUM_OUTPUTS; ++i)
            if (fwrite(outputs[i], 1, model_output_bytes[i], fout) != model_output_bytes[i]) return 6;
    }
    fclose(fin);
    fclose(fout);
    fprintf(stderr, "invoke_seconds %.9f\n", (double)spent / CLOCKS_PER_SEC);
    return 0;
}

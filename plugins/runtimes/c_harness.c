/* Test harness for the `c` backend (compiled with the generated model, --name model):
 * reads `count` samples of all inputs back to back from argv[1], runs model_invoke on each and
 * writes all outputs back to back to argv[2]. Exit status 0 = every invoke returned 0.
 * Prints the processor time spent inside model_invoke to stderr (for the benchmark). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "model.h"

int main(int argc, char **argv) {
    const void *inputs[MODEL_NUM_INPUTS];
    void *outputs[MODEL_NUM_OUTPUTS];
    FILE *fin, *fout;
    long count, s;
    int i;
    clock_t spent = 0, t0;
    if (argc != 4) return 2;
    fin = fopen(argv[1], "rb");
    fout = fopen(argv[2], "wb");
    count = atol(argv[3]);
    if (!fin || !fout) return 3;
    for (i = 0; i < MODEL_NUM_INPUTS; ++i) inputs[i] = malloc(model_input_bytes[i] ? model_input_bytes[i] : 1);
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) outputs[i] = malloc(model_output_bytes[i] ? model_output_bytes[i] : 1);
    for (s = 0; s < count; ++s) {
        for (i = 0; i < MODEL_NUM_INPUTS; ++i)
            if (fread((void *)inputs[i], 1, model_input_bytes[i], fin) != model_input_bytes[i]) return 4;
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

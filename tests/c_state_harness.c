/* Test harness for models with persistent state (variable tensors): as the runtime's c_harness.c, all
 * samples through one process (so the state carries from one invoke to the next), and before sample
 * number argv[4] (if >= 0) a call to model_reset(). */
#include <stdio.h>
#include <stdlib.h>
#include "model.h"

int main(int argc, char **argv) {
    const void *inputs[MODEL_NUM_INPUTS];
    void *outputs[MODEL_NUM_OUTPUTS];
    FILE *fin, *fout;
    long count, reset_at, s;
    int i;
    if (argc != 5) return 2;
    fin = fopen(argv[1], "rb");
    fout = fopen(argv[2], "wb");
    count = atol(argv[3]);
    reset_at = atol(argv[4]);
    if (!fin || !fout) return 3;
    for (i = 0; i < MODEL_NUM_INPUTS; ++i) inputs[i] = malloc(model_input_bytes[i] ? model_input_bytes[i] : 1);
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) outputs[i] = malloc(model_output_bytes[i] ? model_output_bytes[i] : 1);
    for (s = 0; s < count; ++s) {
        for (i = 0; i < MODEL_NUM_INPUTS; ++i)
            if (fread((void *)inputs[i], 1, model_input_bytes[i], fin) != model_input_bytes[i]) return 4;
        if (s == reset_at) model_reset();
        if (model_invoke(inputs, outputs) != 0) return 5;
        for (i = 0; i < MODEL_NUM_OUTPUTS; ++i)
            if (fwrite(outputs[i], 1, model_output_bytes[i], fout) != model_output_bytes[i]) return 6;
    }
    fclose(fin);
    fclose(fout);
    return 0;
}

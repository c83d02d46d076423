/* A dual-slot (A/B) over-the-air weights update for a model compiled with
 *     tinycc compile MODEL -o model --weights-blob --name model
 *
 * Two slots stand for two flash banks; a boot record names the slot in use. An update is written
 * into the other slot, then the device "reboots": boot() tries the newest slot first and falls back
 * to the previous one when model_set_weights() refuses the new blob (CRC-32, layout hash, length,
 * version, magic). The code is never rebuilt: only the blob changes.
 *
 * The demo reads files through stdio (the host, or a Cortex-M under QEMU with semihosting):
 *   ota_input.bin           one sample: every input of the model back to back
 *   ota_update_0.weights, ota_update_1.weights, ...   the updates, applied in turn
 * and writes ota_output.bin: one record per step (step 0 is the boot before any update), each
 *   int32 LE  status of the update's blob (model_set_weights), 0 = accepted; -1 for step 0
 *   int32 LE  the slot in use after the step (0 or 1; -1 = none)
 *   int32 LE  model_invoke's status
 *   the outputs of model_invoke, back to back (zero when it failed)
 * No heap; C99. Exit status 0, or 3 when a file cannot be opened. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

#ifndef OTA_SLOT_BYTES
#define OTA_SLOT_BYTES (MODEL_WEIGHTS_BYTES + 4096)   /* room for a somewhat larger blob */
#endif

/* a flash bank: the blob must start at a 16-byte boundary (model_set_weights checks it) */
static uint8_t bank[2][OTA_SLOT_BYTES + 16];
static size_t slot_len[2];
static int active = -1;                                /* the boot record */

static uint8_t *slot(int k) {
    uint8_t *p = bank[k];
    return p + ((16u - (unsigned)((uintptr_t)p & 15u)) & 15u);
}

/* the boot sequence: the preferred slot, else the other; returns the preferred slot's status */
static int boot(int preferred) {
    int status = slot_len[preferred] ? model_set_weights(slot(preferred), slot_len[preferred])
                                     : MODEL_ERROR_WEIGHTS_LENGTH;
    if (status == 0) {
        active = preferred;
    } else if (active >= 0 && model_set_weights(slot(active), slot_len[active]) != 0) {
        active = -1;                                   /* the previous slot is damaged too */
    }
    return status;
}

/* writes an update into the slot not in use (flash programming on a device) */
static int receive(const char *path) {
    int target = active == 0 ? 1 : 0;
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return -1;
    n = fread(slot(target), 1, OTA_SLOT_BYTES, f);
    if (n == OTA_SLOT_BYTES && fgetc(f) != EOF) n = 0;  /* too big for a slot: stored as empty */
    fclose(f);
    slot_len[target] = n;
    return target;
}

#ifndef OTA_IO_BYTES
#define OTA_IO_BYTES 4096                              /* room for each input and each output */
#endif
static uint64_t in_buf[MODEL_NUM_INPUTS][OTA_IO_BYTES / 8];
static uint64_t out_buf[MODEL_NUM_OUTPUTS][OTA_IO_BYTES / 8];

static void put32(FILE *f, int32_t v) {
    uint32_t u = (uint32_t)v;
    fputc((int)(u & 255u), f); fputc((int)((u >> 8) & 255u), f);
    fputc((int)((u >> 16) & 255u), f); fputc((int)((u >> 24) & 255u), f);
}

static int step(FILE *out, int32_t update_status) {
    const void *inputs[MODEL_NUM_INPUTS];
    void *outputs[MODEL_NUM_OUTPUTS];
    int i, status;
    for (i = 0; i < MODEL_NUM_INPUTS; ++i) inputs[i] = in_buf[i];
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) { outputs[i] = out_buf[i]; memset(out_buf[i], 0, model_output_bytes[i]); }
    status = model_invoke(inputs, outputs);
    put32(out, update_status);
    put32(out, active);
    put32(out, status);
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) fwrite(out_buf[i], 1, model_output_bytes[i], out);
    return status;
}

int main(void) {
    FILE *in = fopen("ota_input.bin", "rb"), *out = fopen("ota_output.bin", "wb");
    char path[64];
    int i, k;
    if (!in || !out) return 3;
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) if (model_output_bytes[i] > sizeof out_buf[i]) return 3;
    for (i = 0; i < MODEL_NUM_INPUTS; ++i)
        if (model_input_bytes[i] > sizeof in_buf[i] || fread(in_buf[i], 1, model_input_bytes[i], in) != model_input_bytes[i])
            return 3;
    fclose(in);
    step(out, -1);                                     /* no weights yet: model_invoke refuses */
    for (k = 0; k < 100; ++k) {
        int target;
        sprintf(path, "ota_update_%d.weights", k);
        target = receive(path);
        if (target < 0) break;
        step(out, boot(target));
    }
    fclose(out);
    return 0;
}

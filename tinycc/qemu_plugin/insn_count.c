/* tinycc's QEMU TCG plugin: counts guest instructions executed between two marker functions.
 *
 * Arguments: begin=<address>,end=<address> (the runner's tinycc_marker_begin/_end). Every
 * translated block registers an execution callback carrying its instruction count; blocks
 * run while counting is on add their count. At exit the total and the number of counted
 * regions are printed to stderr as "tinycc-insns <total> <regions>". With layer=<address> (the
 * runner's tinycc_marker_layer, called before each layer by a -DTINYCC_PROFILE_LAYERS build) the
 * count is also split at each call of that function: "tinycc-layer <i> <instructions>" for part i
 * of a region summed over regions, part 0 being the instructions before the first layer. With
 * blocks=1, every translated block run while counting is listed as "tinycc-block <address>
 * <instructions> <executions>" (a hot-spot profile; benchmarks/profile_cortexm.py). The few declarations of
 * QEMU's plugin API (version 1, QEMU 7.x) are written out below because Debian ships no
 * qemu-plugin.h. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_atexit_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_atexit_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t begin_addr, end_addr, layer_addr, total, regions;
static int counting, list_blocks;

/* one per translation: the packed userdata word, the block's address and its counted executions */
struct block {
    uint64_t v, pc, runs;
    struct block *next;
};
static struct block *blocks;
/* per-layer totals (grown on demand) and the part of the current region being counted */
static uint64_t *parts;
static size_t n_parts, part;

static void add_to_part(uint64_t n) {
    if (part >= n_parts) {
        size_t grown = n_parts ? 2 * n_parts : 256, i;
        uint64_t *p;
        while (grown <= part) grown *= 2;
        p = realloc(parts, grown * sizeof *p);
        if (!p) { layer_addr = 0; return; }     /* out of memory: no split, the total stays right */
        for (i = n_parts; i < grown; ++i) p[i] = 0;
        parts = p;
        n_parts = grown;
    }
    parts[part] += n;
}

/* userdata packs the block's instruction count (low 32 bits) and marker flags (bits 32-34:
 * begin, end, layer) */
static void on_exec(unsigned int vcpu, void *userdata) {
    struct block *blk = list_blocks ? (struct block *)userdata : NULL;
    uint64_t v = blk ? blk->v : (uint64_t)(uintptr_t)userdata;
    (void)vcpu;
    if (v & (1ull << 32)) { counting = 1; ++regions; part = 0; }
    if (counting && (v & (1ull << 34))) ++part;
    if (counting) {
        if (blk) ++blk->runs;
        total += v & 0xffffffffull;
        if (layer_addr) add_to_part(v & 0xffffffffull);
    }
    if (v & (1ull << 33)) counting = 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    uint64_t pc = qemu_plugin_tb_vaddr(tb) & ~1ull;
    uint64_t v = (uint64_t)qemu_plugin_tb_n_insns(tb);
    (void)id;
    if (pc == begin_addr) v |= 1ull << 32;
    if (pc == end_addr) v |= 1ull << 33;
    if (layer_addr && pc == layer_addr) v |= 1ull << 34;
    if (list_blocks) {
        struct block *blk = calloc(1, sizeof *blk);
        if (blk) {
            blk->v = v;
            blk->pc = pc;
            blk->next = blocks;
            blocks = blk;
            qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, blk);
            return;
        }
        list_blocks = 0;     /* out of memory: no profile, the counts stay right */
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)v);
}

static void report_at_exit(qemu_plugin_id_t id, void *p) {
    size_t i, last = 0;
    (void)id; (void)p;
    for (i = 0; i < n_parts; ++i) if (parts[i]) last = i + 1;
    for (i = 0; i < last; ++i) fprintf(stderr, "tinycc-layer %zu %" PRIu64 "\n", i, parts[i]);
    for (; blocks; blocks = blocks->next)
        if (blocks->runs)
            fprintf(stderr, "tinycc-block %#" PRIx64 " %" PRIu64 " %" PRIu64 "\n", blocks->pc, (uint64_t)(blocks->v & 0xffffffffull),
                    blocks->runs);
    fprintf(stderr, "tinycc-insns %" PRIu64 " %" PRIu64 "\n", total, regions);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    int i;
    (void)info;
    for (i = 0; i < argc; ++i) {
        if (strncmp(argv[i], "begin=", 6) == 0) begin_addr = strtoull(argv[i] + 6, NULL, 0) & ~1ull;
        if (strncmp(argv[i], "end=", 4) == 0) end_addr = strtoull(argv[i] + 4, NULL, 0) & ~1ull;
        if (strncmp(argv[i], "layer=", 6) == 0) layer_addr = strtoull(argv[i] + 6, NULL, 0) & ~1ull;
        if (strcmp(argv[i], "blocks=1") == 0) list_blocks = 1;
    }
    if (!begin_addr || !end_addr) return -1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, report_at_exit, NULL);
    return 0;
}

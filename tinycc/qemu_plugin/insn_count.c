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
 * <instructions> <executions>" (a hot-spot profile; benchmarks/profile_cortexm.py). With cycles=1
 * (tinycc/cycles.py's trace), every block run while counting is listed at the end of each part
 * (each layer mark and each region's end) as "tinycc-cyc <part> <address> <instructions> <runs>
 * <taken> <misses>" and its counters reset: <taken> counts the block's exits to another place than
 * the instruction after its last one (a taken branch), <misses> those of them that land on a
 * 16-byte line outside a 64-line direct-mapped cache of branch-target lines (the flash
 * wait-state model; only targets below flash_end=<address>, default 0x20000000, the code flash,
 * are looked up). The few declarations of
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
struct qemu_plugin_insn;
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t begin_addr, end_addr, layer_addr, total, regions;
static int counting, list_blocks, trace_cycles, dump_pending;

/* one per translation: the packed userdata word, the block's address and its counted executions;
 * with cycles=1 also the address after its last instruction and the part's counters */
struct block {
    uint64_t v, pc, runs, end, part_runs, taken, misses;
    struct block *next;
};
static struct block *blocks, *prev;
/* the branch-target line cache of the flash model: line address + 1 per slot (0: empty) */
#define CACHE_LINES 64
static uint64_t cache[CACHE_LINES], flash_end = 0x20000000ull;
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

/* cycles=1: charge the exit of the block run before `pc` to it */
static void account_exit(uint64_t pc) {
    if (pc != prev->end) {
        ++prev->taken;
        if (pc < flash_end) {
            uint64_t line = pc >> 4;
            if (cache[line % CACHE_LINES] != line + 1) { ++prev->misses; cache[line % CACHE_LINES] = line + 1; }
        }
    }
    prev = NULL;
}

/* cycles=1: list the part's blocks and reset their counters */
static void dump_part(void) {
    struct block *b;
    for (b = blocks; b; b = b->next)
        if (b->part_runs) {
            fprintf(stderr, "tinycc-cyc %zu %#" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", part, b->pc,
                    (uint64_t)(b->v & 0xffffffffull), b->part_runs, b->taken, b->misses);
            b->part_runs = b->taken = b->misses = 0;
        }
}

/* userdata packs the block's instruction count (low 32 bits) and marker flags (bits 32-34:
 * begin, end, layer) */
static void on_exec(unsigned int vcpu, void *userdata) {
    struct block *blk = list_blocks || trace_cycles ? (struct block *)userdata : NULL;
    uint64_t v = blk ? blk->v : (uint64_t)(uintptr_t)userdata;
    (void)vcpu;
    if (prev) account_exit(blk->pc);
    if (dump_pending) { dump_part(); dump_pending = 0; }
    if (v & (1ull << 32)) { counting = 1; ++regions; part = 0; }
    if (counting && (v & (1ull << 34))) {
        if (trace_cycles) dump_part();
        ++part;
    }
    if (counting) {
        if (blk) ++blk->runs;
        total += v & 0xffffffffull;
        if (layer_addr) add_to_part(v & 0xffffffffull);
        if (trace_cycles) { ++blk->part_runs; prev = blk; }
    }
    if (v & (1ull << 33)) { counting = 0; dump_pending = trace_cycles; }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    uint64_t pc = qemu_plugin_tb_vaddr(tb) & ~1ull;
    uint64_t v = (uint64_t)qemu_plugin_tb_n_insns(tb);
    (void)id;
    if (pc == begin_addr) v |= 1ull << 32;
    if (pc == end_addr) v |= 1ull << 33;
    if (layer_addr && pc == layer_addr) v |= 1ull << 34;
    if (list_blocks || trace_cycles) {
        struct block *blk = calloc(1, sizeof *blk);
        if (blk) {
            struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, qemu_plugin_tb_n_insns(tb) - 1);
            blk->v = v;
            blk->pc = pc;
            blk->end = (qemu_plugin_insn_vaddr(last) + qemu_plugin_insn_size(last)) & ~1ull;
            blk->next = blocks;
            blocks = blk;
            qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, blk);
            return;
        }
        if (trace_cycles) { fprintf(stderr, "tinycc-cyc-error out of memory\n"); exit(70); }
        list_blocks = 0;     /* out of memory: no profile, the counts stay right */
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)v);
}

static void report_at_exit(qemu_plugin_id_t id, void *p) {
    size_t i, last = 0;
    (void)id; (void)p;
    if (dump_pending) dump_part();
    for (i = 0; i < n_parts; ++i) if (parts[i]) last = i + 1;
    for (i = 0; i < last; ++i) fprintf(stderr, "tinycc-layer %zu %" PRIu64 "\n", i, parts[i]);
    for (; blocks; blocks = blocks->next)
        if (list_blocks && blocks->runs)
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
        if (strcmp(argv[i], "cycles=1") == 0) trace_cycles = 1;
        if (strncmp(argv[i], "flash_end=", 10) == 0) flash_end = strtoull(argv[i] + 10, NULL, 0);
    }
    if (!begin_addr || !end_addr) return -1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, report_at_exit, NULL);
    return 0;
}

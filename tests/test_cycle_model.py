"""The Cortex-M4 cycle model (tinycc/cycles.py) on hand-written Thumb-2 snippets run under QEMU.

Each snippet is the body of `tinycc_marker_begin` (the plugin counts from its first instruction)
and ends with `b tinycc_marker_end`, whose `bx lr` returns to main: every expected count below is
worked out by hand from the Cortex-M4 TRM's instruction timing (Table 3-1; the FPU's table) with
the model's stated choices P = 2 (pipeline refill of a taken branch) and SDIV/UDIV = 7 cycles,
and written as literal numbers; the fixed tail is `b tinycc_marker_end` (1 + P = 3) and its
`bx lr` (1 + P = 3), 6 cycles.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinycc import cortexm, cycles

pytestmark = pytest.mark.skipif(
    not (shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")),
    reason="needs gcc-arm-none-eabi, picolibc-arm-none-eabi and qemu-system-arm")

TAIL = 6        # b tinycc_marker_end (1 + P) + bx lr taken (1 + P), P = 2

MAIN = """#include <stdio.h>
void tinycc_marker_begin(void);
int main(void) {
    FILE *f = fopen("tinycc_out.bin", "wb");
    if (!f) return 3;
    tinycc_marker_begin();
    fclose(f);
    return 0;
}
"""

ASM = """    .syntax unified
    .thumb
    .text
    .global tinycc_marker_begin
    .global tinycc_marker_end
    .p2align 4
    .thumb_func
tinycc_marker_begin:
{body}
    b tinycc_marker_end
    .p2align 4
    .space 16               @ never the next address: the branch to the end marker is a taken one
    .thumb_func
tinycc_marker_end:
    bx lr
"""


def link_snippet(tmp_path: Path, main_c: str, asm: str, compile_command: list[str]) -> Path:
    """main.c and snippet.S linked by `compile_command` (compiler, flags, libc, linker script) into a
    program with 4 MB of flash at 0 and 4 MB of RAM at 0x20000000; returns the ELF."""
    (tmp_path / "main.c").write_text(main_c)
    (tmp_path / "snippet.S").write_text(asm)
    elf = tmp_path / "prog.elf"
    subprocess.run([*compile_command, "-Wl,--defsym=__flash=0x0", "-Wl,--defsym=__flash_size=0x400000",
                    "-Wl,--defsym=__ram=0x20000000", "-Wl,--defsym=__ram_size=0x400000",
                    str(tmp_path / "main.c"), str(tmp_path / "snippet.S"), "-o", str(elf)],
                   check=True, capture_output=True, text=True)
    return elf


def run_snippet(tmp_path: Path, body: str, wait_states: int = 0) -> cycles.Estimate:
    """Assemble the snippet into a program, run it under QEMU with the cycle trace, estimate."""
    elf = link_snippet(tmp_path, MAIN, ASM.format(body=body),
                       ["arm-none-eabi-gcc", "-O2", "-mcpu=cortex-m4", "-mthumb", *cortexm.FPU_M4,
                        "--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost", "-T", "picolibc.ld"])
    trace: list = []
    _, insns = cortexm.run(elf, "cortex-m4", [[]], [], count=True, trace=trace)
    est = cycles.estimate(elf, trace, 1, wait_states)
    assert est.instructions == insns
    assert not est.unknown
    return est


LOOP = """
    mov r0, sp
    movs r1, #10
1:  ldr r2, [r0]
    ldr r3, [r0, #4]
    subs r1, #1
    bne 1b"""


def test_pipelined_loads(tmp_path):
    est = run_snippet(tmp_path, LOOP)
    # mov 1 + movs 1; per iteration: ldr 2, ldr 1 (pipelined: r2 is not its address), subs 1, bne 1,
    # + P = 2 on the 9 taken bne
    assert est.cycles == 2 + 10 * 5 + 9 * 2 + TAIL == 76
    assert est.instructions == 2 + 10 * 4 + 2
    assert est.extra["taken branches"] == (9 + 2) * 2


def test_flash_wait_states_pay_on_branch_cache_misses(tmp_path):
    est = run_snippet(tmp_path, LOOP, wait_states=3)
    # 76 at zero wait states; taken branches land on 3 distinct 16-byte lines: the loop head (a miss
    # the first time, then 8 hits in the branch cache), the end marker and the return into main:
    # 3 misses x 3 wait states
    assert est.cycles == 76 + 3 * 3
    assert est.extra["flash wait states"] == 9


def test_loads_not_neighbouring_and_address_dependencies(tmp_path):
    est = run_snippet(tmp_path, """
    mov r0, sp
    ldr r2, [r0]
    adds r3, r2, #1
    ldr r1, [r0, #4]
    adds r0, #4
    ldr r1, [r0]
    ldr r2, [r0, #4]
    ldr r3, [r2]""")
    assert est.cycles == (1        # mov
                          + 2 + 1  # ldr, +1: its address r0 was written by the MOV just before (no forwarding)
                          + 1      # adds
                          + 2      # ldr: an ADD between, not pipelined (r3 is not its address)
                          + 1      # adds r0
                          + 2 + 1  # ldr: address written by the ADD just before
                          + 1      # ldr: pipelined after an independent load
                          + 2      # ldr [r2]: its address is the load before's destination, not pipelined
                          + TAIL)


def test_multiple_double_and_store_timings(tmp_path):
    est = run_snippet(tmp_path, """
    mvn r1, #31
    mov r0, sp
    nop
    ldmia r0, {r2, r3, r12}
    ldrd r2, r3, [r0, #8]
    strd r2, r3, [r0, #-16]
    str r2, [r0, #-8]
    str r2, [r0, r1]
    ldr r3, [r0]
    str r3, [r0, r1]""")
    assert est.cycles == (1 + 1 + 1  # mvn, mov, nop
                          + 1 + 3  # LDM: 1 + N, N = 3
                          + 3      # LDRD: 1 + N, N = 2
                          + 3      # STRD
                          + 1      # STR with an immediate offset: one cycle (the write buffer)
                          + 2      # STR with a register offset, not after a load
                          + 2      # LDR: nothing pipelines after a store
                          + 1      # STR with a register offset pipelined after the LDR (r3 is data)
                          + TAIL)


def test_taken_and_not_taken_branches(tmp_path):
    est = run_snippet(tmp_path, """
    movs r0, #1
    cmp r0, #1
    bne 1f
    beq 2f
1:  nop
2:  cbz r0, 3f
    cbnz r0, 3f
    nop
3:  nop""")
    assert est.cycles == (1 + 1    # movs, cmp
                          + 1      # bne not taken: 1
                          + 1 + 2  # beq taken: 1 + P
                          + 1      # cbz not taken
                          + 1 + 2  # cbnz taken
                          + 1      # nop at 3
                          + TAIL)


def test_multiplies_dsp_and_divides(tmp_path):
    est = run_snippet(tmp_path, """
    movs r0, #3
    movs r1, #5
    movs r2, #0
    smlad r2, r0, r1, r2
    smlad r2, r0, r1, r2
    smlad r2, r0, r1, r2
    smlad r2, r0, r1, r2
    smull r0, r3, r0, r1
    umlal r0, r3, r0, r1
    mla r2, r0, r1, r2
    muls r0, r1, r0
    sdiv r2, r2, r1
    udiv r2, r2, r1""")
    assert est.cycles == (3        # movs x 3
                          + 4 * 1  # SMLAD: 1 each on the M4, chained or not
                          + 1 + 1  # SMULL, UMLAL: 1 on the M4
                          + 1 + 1  # MLA, MUL
                          + 7 + 7  # SDIV, UDIV: 2..12 by early termination, the model's fixed 7
                          + TAIL)


def test_push_pop_and_pc_loads(tmp_path):
    est = run_snippet(tmp_path, """
    push {r4, r5, r6, r7, lr}
    movs r4, #0
    bl 1f
    b 2f
1:  push {r4, lr}
    pop {r4, pc}
2:  pop.w {r4, r5, r6, r7, lr}""")
    assert est.cycles == (1 + 5      # PUSH of 5: 1 + N
                          + 1        # movs
                          + 1 + 2    # BL: 1 + P
                          + 1 + 2    # B: 1 + P
                          + 1 + 2    # PUSH of 2
                          + 1 + 2 + 2  # POP {r4, pc}: 1 + N + P
                          + 1 + 5    # POP of 5
                          + TAIL)


def test_it_folding(tmp_path):
    est = run_snippet(tmp_path, """
    movs r0, #0
    cmp r0, #0
    it eq
    moveq r1, #1
    cmp.w r0, #1
    ite ne
    addne r1, r1, #2
    addeq r1, r1, #3""")
    assert est.cycles == (1 + 1    # movs, cmp (16-bit)
                          + 0      # IT folded onto the 16-bit CMP before it
                          + 1      # moveq
                          + 1      # cmp.w (32-bit)
                          + 1      # ITE: not folded after a 32-bit instruction
                          + 1 + 1  # addne, addeq (the failing one charged as executed)
                          + TAIL)


def test_fpu_timings(tmp_path):
    est = run_snippet(tmp_path, """
    vpush {s16, s17}
    vmov.f32 s0, #1.0
    vmov.f32 s1, #2.0
    vadd.f32 s2, s0, s1
    vmul.f32 s3, s2, s1
    vdiv.f32 s4, s3, s1
    vsqrt.f32 s5, s4
    vmla.f32 s5, s0, s1
    vstr s5, [sp, #-8]
    vldr s16, [sp, #-8]
    vpop {s16, s17}""")
    assert est.cycles == (1 + 2    # VPUSH of 2 words: 1 + N
                          + 1 + 1  # VMOV immediates
                          + 1 + 1  # VADD, VMUL
                          + 14     # VDIV
                          + 14     # VSQRT
                          + 3      # VMLA
                          + 2 + 2  # VSTR, VLDR
                          + 1 + 2  # VPOP of 2
                          + TAIL)


def test_bench_reports_cycles_beside_instructions_per_layer(tmp_path):
    out = tmp_path / "kws"
    env = {"COLUMNS": "250", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "-o", str(out)],
                   env=env, check=True, capture_output=True)

    def bench(*extra):
        proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--samples", "2", "--json", *extra],
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    data = bench("--per-layer")
    model, insns = data["cycle_model"], data["instructions_per_inference"]
    total = model["estimated_cycles_per_inference"]
    assert 1.0 < total / insns < 3.0                      # loads and taken branches cost more than one
    assert sum(r["estimated_cycles"] for r in data["layers"]) == total
    assert all(r["estimated_cycles"] >= r["instructions"] > 0 for r in data["layers"] if r["op"] == "conv_2d")
    assert insns + sum(model["cycles_above_one_per_instruction"].values()) == total
    assert model["ms_per_inference"] == round(total / 120e3, 4) and "zero wait states" in model["assumptions"]
    plain = bench()["cycle_model"]["estimated_cycles_per_inference"]
    assert abs(plain - total) < 20 * len(data["layers"])     # the marker calls of the profiling build only
    slow = bench("--flash-wait-states", "5")["cycle_model"]
    assert slow["estimated_cycles_per_inference"] == plain + slow["cycles_above_one_per_instruction"][
        "flash wait states"] > plain
    assert "5 flash wait states" in slow["assumptions"]
    m3 = bench("--target", "cortex-m3")
    assert m3["cycle_model"] is None and m3["instructions_per_inference"] > 0
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--flash-wait-states", "-1"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--flash-wait-states" in proc.stderr

"""The Cortex-M0+ cycle model (tinycc/cycles_m0plus.py) on a hand-written ARMv6-M (Thumb-1) snippet
run under QEMU (the cortex-m0plus target: the MPS2 AN385 runs the ARMv6-M code), and wired into the
target database: `tinycc bench --target cortex-m0plus` reports the estimate.

The snippet is the body of `tinycc_marker_begin` (the plugin counts from its first instruction) and
ends with `b tinycc_marker_end`, whose `bx lr` returns to main. Every expected count is worked out by
hand from the Cortex-M0+ TRM's Table 3.1 (zero wait states, the single-cycle multiplier) and written
as a literal number beside each instruction.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cycle_model import MAIN  # main() calls tinycc_marker_begin between opening and closing the output
from tinycc import cortexm, cycle_models, cycles, cycles_m0plus, targets

pytestmark = pytest.mark.skipif(
    not (shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")),
    reason="needs gcc-arm-none-eabi, picolibc-arm-none-eabi and qemu-system-arm")

SNIPPET = """    .syntax unified
    .thumb
    .text
    .global tinycc_marker_begin
    .global tinycc_marker_end
    .thumb_func
tinycc_marker_begin:
    push {r4, r5}               @ 1 + N = 3
    mov r5, lr                  @ 1
    sub sp, #32                 @ 1
    mov r0, sp                  @ 1
    movs r4, #10                @ 1
1:  ldr r2, [r0]                @ 2     the loop: 11 cycles a pass, 10 passes
    ldr r3, [r0, #4]            @ 2
    muls r2, r3                 @ 1     (the fast multiplier)
    str r2, [r0, #8]            @ 2
    strb r3, [r0, #12]          @ 2
    subs r4, #1                 @ 1
    bne 1b                      @ 1, 2 when taken (9 times)
    ldmia r0!, {r1, r2, r3}     @ 1 + N = 4
    stmia r0!, {r1, r2}         @ 1 + N = 3
    bl 2f                       @ 3
    ldr r1, =0x12345678         @ 2     (a literal load)
    add sp, #32                 @ 1
    mov lr, r5                  @ 1
    pop {r4, r5}                @ 1 + N = 3
    b 3f                        @ 2     (to the next instruction: still a taken branch)
2:  push {r4, lr}               @ 1 + N = 3
    pop {r4, pc}                @ 3 + N = 5
3:  b tinycc_marker_end         @ 2
    .thumb_func
tinycc_marker_end:
    bx lr                       @ 2
    .ltorg
"""
EXPECTED = (7                   # push, mov, sub, mov, movs
            + 10 * 11 + 9       # the loop and its 9 taken exits
            + 4 + 3 + 3         # ldmia, stmia, bl
            + 3 + 5             # the callee's push and pop {.., pc}
            + 2 + 1 + 1 + 3 + 2  # ldr =, add, mov, pop, b
            + 2 + 2)            # b tinycc_marker_end, bx lr


def test_thumb1_snippet_cycles_from_the_trm(tmp_path):
    from tests.test_cycle_model import link_snippet
    t = targets.TARGETS["cortex-m0plus"]
    elf = link_snippet(tmp_path, MAIN, SNIPPET, [t.compiler, "-O2", *t.flags, *t.libc, "-T", t.linker_script])
    trace: list = []
    _, insns = cortexm.run(elf, "cortex-m0plus", [[]], [], count=True, trace=trace)
    est = cycles_m0plus.estimate(elf, trace, 1)
    assert insns == est.instructions == 5 + 10 * 7 + 3 + 2 + 5 + 2
    assert est.cycles == EXPECTED == 157
    assert est.cycles == insns + sum(est.extra.values())
    assert est.extra["branches"] == 9 + 2 + 1 + 1 + 1        # bne taken 9 times, bl, b, b, bx


def test_single_instruction_costs():
    def cost(text: str) -> int:
        mnemonic, _, operands = text.partition(" ")
        return cycles_m0plus.cost(cycles._decode_line(mnemonic, operands.strip(), 4 if mnemonic == "bl" else 2))
    assert [cost(x) for x in ("adds r0, #1", "muls r0, r1", "sxtb r2, r3", "ldrsb r0, [r1, r2]",
                              "str r1, [sp, #4]", "ldr r0, [pc, #8]", "push {r4, r5, r6, r7, lr}",
                              "pop {r4, r5, r6, r7, pc}", "mov pc, r3", "bl 100", "blx r3", "bx lr", "b.n 10",
                              "beq.n 10", "dmb sy")] == [1, 1, 1, 2, 2, 2, 6, 8, 2, 3, 2, 2, 2, 1, 3]


def test_the_target_database_names_a_model_of_each_family():
    assert targets.CYCLE_MODELS == tuple(cycle_models.TITLES)
    assert {c: t.cycle_model for c, t in targets.TARGETS.items() if t.cycle_model} == {
        "cortex-m0plus": "cortex-m0plus", "cortex-m4": "cortex-m4", "cortex-m55": "cortex-m55",
        "cortex-m55+nomve": "cortex-m55"}
    with pytest.raises(ValueError, match="no flash wait states"):
        cycle_models.estimate("cortex-m0plus", "x.elf", [], 1, wait_states=2)


def test_bench_reports_cortex_m0plus_cycles(tmp_path):
    out = tmp_path / "kws"
    env = {"COLUMNS": "250", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    example = Path(__file__).resolve().parent.parent / "examples" / "tiny_kws_int8.tflite"
    subprocess.run([sys.executable, "-m", "tinycc", "compile", str(example), "-o", str(out)], env=env, check=True,
                   capture_output=True)
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--target", "cortex-m0plus",
                           "--samples", "1", "--per-layer", "--json"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    model, insns = data["cycle_model"], data["instructions_per_inference"]
    total = model["estimated_cycles_per_inference"]
    assert 1.0 < total / insns < 2.5 and "Cortex-M0+" in model["assumptions"]
    assert total == insns + sum(model["cycles_above_one_per_instruction"].values())
    assert sum(r["estimated_cycles"] for r in data["layers"]) == total
    proc = subprocess.run([sys.executable, "-m", "tinycc", "bench", str(out), "--target", "cortex-m0plus",
                           "--flash-wait-states", "2"], env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "prices no flash wait states" in proc.stderr

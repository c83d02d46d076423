"""A Cortex-M0+ cycle estimate from the same QEMU trace as tinycc/cycles.py (the Cortex-M4 model).

The Cortex-M0+ runs ARMv6-M (16-bit Thumb plus BL, MRS, MSR, DMB, DSB, ISB) on a two-stage pipeline.
QEMU runs the ARMv6-M code on the MPS2 AN385's Cortex-M3 (the instruction count is exact); this
module charges each executed instruction the cycles of the Cortex-M0+ Technical Reference Manual
(Arm DDI 0484C, section 3.3, Table 3.1 "Cortex-M0+ instruction summary"):

- data processing (MOVS, ADDS, ADCS, SUBS, SBCS, RSBS, CMP, CMN, ANDS, EORS, ORRS, BICS, MVNS, TST,
  LSLS, LSRS, ASRS, RORS, SXTB, SXTH, UXTB, UXTH, REV, REV16, REVSH, ADR, ADD/SUB SP) 1 cycle;
- MULS 1 cycle: the TRM's "1 or 32", the fast single-cycle multiplier option (RP2040, STM32G0/L0
  and most parts; the 32-cycle iterative multiplier is the small-area option);
- loads and stores (LDR, LDRB, LDRH, LDRSB, LDRSH, STR, STRB, STRH, a literal LDR) 2 cycles: the
  TRM's "2 or 1", 1 only for the single-cycle I/O port, which holds GPIO, not tinycc's data;
- LDM, STM, PUSH and POP 1 + N, POP with PC 3 + N (N: the registers in the list; the TRM's N is
  taken to count PC as the Cortex-M3 TRM's does);
- branches: B<cond> 1 not taken, 2 taken (the trace's taken exits pay the 1); B 2; BL 3; BX, BLX 2;
  MOV PC / ADD PC 2; no branch prediction, no loop cache (the 2-stage pipeline's refill is 1 cycle);
- MRS, MSR, DMB, DSB, ISB 3 (not in the model's hot code); NOP, CPSID, CPSIE, SEV, YIELD 1;
- zero wait states (code and data in zero-wait memory), no bus contention, no interrupts.
"""
from __future__ import annotations

from tinycc import cycles

MUL_CYCLES = 1          # MULS with the fast multiplier (32 with the iterative one)
TAKEN = 1               # a taken conditional branch's extra cycle (B<cond>: 1 or 2)

ASSUMPTIONS = (f"Cortex-M0+ cycle model (TRM DDI 0484C Table 3.1): zero wait states, no bus contention; data "
               f"processing 1, MULS {MUL_CYCLES} (the fast multiplier; the small one takes 32), loads and stores 2, "
               f"LDM/STM/PUSH/POP 1+N, POP with PC 3+N, B<cond> 1 (2 taken), B 2, BL 3, BX/BLX 2, MOV/ADD PC 2")

THREE = {"mrs", "msr", "dmb", "dsb", "isb"}
MULTIPLES = {"ldm", "ldmia", "ldmfd", "stm", "stmia", "stmea", "push", "pop"}


def cost(i: cycles.Insn) -> int:
    """Cycles of one ARMv6-M instruction (a conditional branch's taken cycle not included)."""
    if i.op in MULTIPLES:
        return 1 + i.count + (2 if i.writes_pc else 0)
    if i.op in cycles.LOADS or i.op in cycles.STORES:
        return 2
    if i.op == "b":
        return 1 if i.conditional else 2
    if i.op == "bl":
        return 3
    if i.op in ("bx", "blx") or i.writes_pc:
        return 2
    if i.op == "mul":
        return MUL_CYCLES
    if i.op in THREE:
        return 3
    return 1


def _kind(i: cycles.Insn) -> str:
    if i.op in MULTIPLES or i.op in cycles.LOADS or i.op in cycles.STORES:
        return "loads and stores"
    return "branches" if i.op in cycles.BRANCHES or i.writes_pc else "other"


def block_cost(code: dict[int, cycles.Insn], pc: int, n: int) -> tuple[int, bool, dict]:
    """(cycles of one run of the n-instruction block at pc, does its taken exit pay TAKEN (it ends with
    a conditional branch), cycles above one per instruction by kind)."""
    total, last, extra = 0, None, {"loads and stores": 0, "branches": 0, "other": 0}
    for _ in range(n):
        i = code.get(pc)
        if i is None:           # not in the disassembly: one cycle, a 16-bit step
            total, last, pc = total + 1, None, pc + 2
            continue
        c = cost(i)
        total += c
        extra[_kind(i)] += c - 1
        last, pc = i, pc + i.size
    return total, last is not None and last.op == "b" and last.conditional, extra


def estimate(elf, trace: list, samples: int) -> cycles.Estimate:
    """Cycles per inference (and per part) from the plugin's trace [(part, pc, n, runs, taken, misses), ...];
    its extra: the cycles above one per instruction by kind (a taken branch's under branches)."""
    code = cycles.disassemble(str(elf))
    parts: dict[int, int] = {}
    cache: dict[tuple[int, int], tuple[int, bool, dict]] = {}
    extra = {"loads and stores": 0, "branches": 0, "other": 0}
    insns = 0
    for part, pc, n, runs, taken, _misses in trace:
        if (pc, n) not in cache:
            cache[(pc, n)] = block_cost(code, pc, n)
        cyc, conditional, kinds = cache[(pc, n)]
        paid = taken * TAKEN if conditional else 0
        parts[part] = parts.get(part, 0) + runs * cyc + paid
        insns += runs * n
        for k, v in kinds.items():
            extra[k] += runs * v
        extra["branches"] += paid
    s = max(samples, 1)
    per_part = [parts.get(i, 0) // s for i in range(max(parts, default=-1) + 1)]
    return cycles.Estimate(sum(parts.values()) // s, per_part, insns // s, {k: v // s for k, v in extra.items()})

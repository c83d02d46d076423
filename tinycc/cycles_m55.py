"""A rough Cortex-M55 cycle estimate with beat-based Helium (MVE) timing, from the same QEMU trace as
tinycc/cycles.py (the Cortex-M4 model): each block of executed code priced once, times its runs.

QEMU counts instructions exactly; the timing below is a model, not a measurement (ASSUMPTIONS says it
in words for the output):
- scalar instructions as the Cortex-M4 model prices them (tinycc/cycles.py: the M4 TRM's timings,
  zero wait states); the M55's scalar pipeline is taken to be no faster;
- a Helium instruction is four beats of 32 bits; the M55 runs two beats a cycle (a 64-bit datapath),
  so 2 cycles, except the 32-bit-lane multiplies (VMUL, VMLA, VMLAS, VQRDMULH, VQDMULH, VRMULH,
  VMULH, VQRDMLAH, VQDMLAH on .32 lanes), which take one beat a cycle: 4;
- beat overlap: a vector instruction right after a vector instruction of the other kind (memory
  against arithmetic) starts while that one finishes: 1 cycle less (the TRM's overlapped execution
  of a load or store with an operation);
- gathers and scatters (a vector of offsets or addresses) one element a cycle: 4, 8 or 16;
  VLD2x / VLD4x, each part, 2;
- VCTP, VPST / VPT, VMSR / VMRS of the predicate, DLS / WLS 1; a low-overhead loop's LE / LETP 1
  with no pipeline refill when it loops back (the loop cache);
- zero wait states and no bus contention (the ITCM/DTCM of QEMU's mps3-an547 board).
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from functools import lru_cache

from tinycc import cycles

ASSUMPTIONS = ("Cortex-M55 estimate (model, not measured): scalar instructions as the Cortex-M4 model; Helium "
               "2 cycles an instruction (two 32-bit beats a cycle), 32-bit-lane multiplies 4, 1 less right after a "
               "vector instruction of the other kind (memory / arithmetic overlap), gathers and scatters one "
               "element a cycle, VCTP/VPST/VMSR/DLS/LE 1 and no refill on a loop's LE; zero wait states")

Q = re.compile(r"\bq[0-7]\b")
MEMORY = re.compile(r"^v(ldr[bhwd]|str[bhwd]|ld[24][0-3]|st[24][0-3])$")
MUL32 = {"vmul", "vmla", "vmlas", "vqrdmulh", "vqdmulh", "vrmulh", "vmulh", "vqrdmlah", "vqdmlah", "vqrdmlash",
         "vqdmlash"}
SINGLE = {"vctp", "vpst", "vpt", "vpnot", "dls", "dlstp", "wls", "wlstp", "le", "letp", "lctp"}
LOOP_END = {"le", "letp"}


def _mve_op(op: str) -> str:
    """A VPT block's then / else form (vldrbt, vmlavat) to its base mnemonic where the cost depends on it."""
    base = op[:-1]
    return base if op.endswith(("t", "e")) and (MEMORY.match(base) or base in MUL32) else op


@lru_cache(maxsize=8)
def disassemble(elf: str) -> dict[int, cycles.Insn]:
    """address -> instruction (arm-none-eabi-objdump for ARMv8.1-M: it decodes Helium only when told)."""
    from tinycc import cortexm
    text = subprocess.run([cortexm._tool("arm-none-eabi-objdump"), "-d", "-m", "armv8.1-m.main", str(elf)],
                          capture_output=True, text=True, check=True).stdout
    found = {}
    for line in text.splitlines():
        m = cycles.LINE.match(line)
        if not m or m.group(4).startswith("."):
            continue
        mnemonic, operands = m.group(4), m.group(5).strip()
        i = cycles._decode_line(mnemonic, operands, 4 if m.group(3) else 2)
        name = mnemonic.lower().split(".")[0]
        if name.startswith("v") or name in SINGLE:
            i = replace(i, op=_mve_op(name), operands=mnemonic.lower() + " " + operands)
        found[int(m.group(1), 16)] = i
    return found


def _vector_kind(i: cycles.Insn) -> str | None:
    """'mem', 'alu' or 'ctl' for a Helium instruction, None for a scalar (or FP scalar) one."""
    if i.op in SINGLE or (i.op in ("vmsr", "vmrs") and "p0" in i.operands):
        return "ctl"
    if not i.op.startswith("v") or not Q.search(i.operands):
        return None
    return "mem" if MEMORY.match(i.op) else "alu"


def cost(i: cycles.Insn, prev: cycles.Insn | None) -> int:
    kind = _vector_kind(i)
    if kind is None:
        return cycles.cost(i, prev)
    if kind == "ctl":
        return 1
    if kind == "mem":
        bracket = re.search(r"\[([^\]]*)\]", i.operands)
        if bracket and Q.search(bracket.group(1)):         # gather / scatter: one element a cycle
            bits = re.search(r"\.[su]?(8|16|32|64)\b", i.operands.split(" ")[0])
            return 128 // int(bits.group(1)) if bits else 4
        c = 2
    else:
        lanes32 = re.search(r"\.[siu]?32\b", i.operands.split(" ")[0])
        c = 4 if i.op in MUL32 and lanes32 else 2
    pk = _vector_kind(prev) if prev is not None else None
    if pk in ("mem", "alu") and pk != kind:
        c -= 1
    return c


def block_cost(code: dict[int, cycles.Insn], pc: int, n: int) -> tuple[int, str]:
    total, prev, last = 0, None, None
    for _ in range(n):
        i = code.get(pc)
        if i is None:
            total, prev, last, pc = total + 1, None, None, pc + 2
            continue
        total += cost(i, prev)
        prev, last, pc = i, i, pc + i.size
    if last is None or last.op in LOOP_END or not cycles.can_branch(last):
        pays = "never"
    else:
        pays = "taken" if last.conditional else "always"
    return total, pays


def estimate(elf, trace: list, samples: int) -> cycles.Estimate:
    """Cycles per inference (and per part) from the plugin's trace [(part, pc, n, runs, taken, misses), ...];
    its extra: the cycles above one per instruction (taken branches' refills, the rest)."""
    code = disassemble(str(elf))
    cache: dict[tuple[int, int], tuple[int, str]] = {}
    parts: dict[int, int] = {}
    insns = refills = 0
    for part, pc, n, runs, taken, _misses in trace:
        if (pc, n) not in cache:
            cache[(pc, n)] = block_cost(code, pc, n)
        cyc, pays = cache[(pc, n)]
        refill = {"always": runs, "taken": taken, "never": 0}[pays] * cycles.P
        parts[part] = parts.get(part, 0) + runs * cyc + refill
        insns += runs * n
        refills += refill
    s = max(samples, 1)
    per_part = [parts.get(i, 0) // s for i in range(max(parts, default=-1) + 1)]
    total = sum(parts.values()) // s
    return cycles.Estimate(total, per_part, insns // s, {"taken branches": refills // s,
                                                         "other": total - insns // s - refills // s})

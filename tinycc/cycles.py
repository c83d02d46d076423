"""A Cortex-M4 cycle estimate from a QEMU trace of the executed instructions.

QEMU counts instructions exactly but knows no timing. tinycc's QEMU plugin (qemu_plugin/insn_count.c,
`cycles=1`) lists every block of guest code run while counting with its executions, its taken
exits and its branch-cache misses; this module disassembles the program (arm-none-eabi-objdump),
charges each instruction of a block the cycles of the Cortex-M4 Technical Reference Manual's
instruction timing tables (Table 3-1, and the FPU's instruction table) in the context of the
instruction before it in the block, and adds the pipeline refill of each taken branch:

    cycles = sum over blocks of runs x cost(block) + taken exits x P + branch-cache misses x W

The model (ASSUMPTIONS says it in words, for the output and the README):
- most instructions 1 cycle: data processing, MUL/MLA/MLS, the long multiplies (UMULL, SMULL,
  SMLAL, UMLAL: 1 on the M4), saturation, the DSP extension (SMLAD, SXTB16, QADD, ...), bit fields;
- single loads (LDR, LDRB, LDRH, LDRSB, LDRSH, LDREX; STREX counts as a load) 2 cycles, 1 when
  the instruction before was a single load whose destination is not used for this address
  (the TRM's pipelining of neighbouring loads and stores); a store with an immediate offset 1
  cycle (the write buffer), with a register offset 2 (1 pipelined after a single load);
- a load or store whose address register was written by the data-processing instruction just
  before: 1 more cycle (no forwarding path to the address generator);
  a literal-pool load (LDR Rx, [PC, #imm]) is charged as any load (the TRM's possible extra
  cycle of contention with the fetch unit is not);
- LDRD/STRD 3 (1 + N, never pipelined), LDM/STM/PUSH/POP 1 + N, N the registers in the list;
- branches 1, plus P on each taken exit (B, BL, BX, BLX, CBZ/CBNZ, B<cc>, and any instruction
  writing the PC: POP {..., pc}, LDR pc, MOV/ADD pc); TBB/TBH 2 + P. P = 2 (the pipeline refill
  of a taken branch; the M4 TRM gives 1..3 by target alignment and width, the Cortex-M3 TRM's
  timing table its typical 2 extra cycles);
- IT 0 cycles when folded onto a 16-bit instruction just before it in the block, else 1;
  instructions inside an IT block are charged as if their condition passed;
- SDIV/UDIV 7 cycles (2..12 by early termination on the operands, which the trace does not
  carry: the midpoint);
- FPU: VLDR/VSTR 2, VLDM/VSTM/VPUSH/VPOP 1 + N (N words), VDIV/VSQRT 14, the fused and chained
  multiply-accumulates (VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS) 3, a VMOV of two core
  registers 2, every other FP instruction (VADD, VSUB, VMUL, VCVT, VCMP, VMOV, VMRS, ...) 1;
- zero wait states and no bus contention (code and data in zero-wait memory), unless flash wait
  states W are given: then a taken branch to code flash pays W more cycles unless its 16-byte
  target line is in a 64-line direct-mapped branch cache (an STM32F4 ART accelerator's size),
  and sequential fetches are hidden by the 128-bit prefetch buffer (true while the code spends at
  least W + 1 cycles per 16 bytes); data reads from flash (weights, literal pools) are taken to
  hit a data cache: a lower bound of their cost.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

P = 2                   # pipeline refill of a taken branch
DIV_CYCLES = 7          # SDIV/UDIV: 2..12, the midpoint
CACHE_LINES = 64        # the plugin's branch-target cache (qemu_plugin/insn_count.c)

ASSUMPTIONS = (f"Cortex-M4 cycle model (TRM instruction timing): zero wait states, no bus contention; "
               f"loads 2 cycles (1 when pipelined after an independent load), stores with an immediate offset 1, "
               f"LDRD/STRD 3, LDM/STM/PUSH/POP 1+N, taken branches 1+P with P={P}, not-taken 1, "
               f"IT folded onto a 16-bit instruction, MUL/MLA/long multiplies/DSP 1, SDIV/UDIV {DIV_CYCLES} "
               f"(2..12), VDIV/VSQRT 14, VMLA/VFMA 3, VLDR 2; conditional instructions charged as executed")



def assumptions(wait_states: int = 0) -> str:
    """The model's assumptions in one line, for the output."""
    if not wait_states:
        return ASSUMPTIONS
    return (ASSUMPTIONS.replace("zero wait states", f"{wait_states} flash wait states") +
            f"; a taken branch to flash pays {wait_states} unless its 16-byte line is in a {CACHE_LINES}-line "
            f"direct-mapped branch cache, sequential fetches hidden by the prefetch buffer, flash data reads "
            f"taken as cache hits")


COND = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"}
LOADS = {"ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrt", "ldrbt", "ldrht", "ldrsbt", "ldrsht", "ldrex", "ldrexb",
         "ldrexh", "strex", "strexb", "strexh", "pld", "pli"}
STORES = {"str", "strb", "strh", "strt", "strbt", "strht"}
DOUBLES = {"ldrd", "strd"}
MULTIPLES = {"ldm", "ldmia", "ldmfd", "ldmdb", "ldmea", "stm", "stmia", "stmea", "stmdb", "stmfd", "push", "pop"}
BRANCHES = {"b", "bl", "bx", "blx", "cbz", "cbnz"}
TABLE_BRANCHES = {"tbb", "tbh"}
FP_MEMORY = {"vldr", "vstr"}
FP_MULTIPLES = {"vldm", "vldmia", "vldmdb", "vstm", "vstmia", "vstmdb", "vpush", "vpop"}
FP_SLOW = {"vdiv": 14, "vsqrt": 14, **dict.fromkeys(("vmla", "vmls", "vnmla", "vnmls", "vfma", "vfms", "vfnma",
                                                      "vfnms"), 3)}
DIVIDES = {"sdiv", "udiv"}
NO_DEST = {"cmp", "cmn", "tst", "teq", "it", "nop", "bkpt", "svc", "dmb", "dsb", "isb", "cpsid", "cpsie", "wfi", "wfe",
           "sev", "yield", "msr", "vmsr", "vcmp", "vcmpe"} | STORES | BRANCHES | TABLE_BRANCHES
TWO_DEST = {"umull", "smull", "umlal", "smlal", "umaal", "smlald", "smlaldx", "smlsld", "smlsldx", "smlalbb",
            "smlalbt", "smlaltb", "smlaltt"}
ONE_CYCLE = {"mov", "mvn", "movw", "movt", "add", "addw", "adc", "adr", "sub", "subw", "sbc", "rsb", "mul", "mla",
             "mls", "neg", "and", "orr", "orn", "eor", "bic", "asr", "lsl", "lsr", "ror", "rrx", "clz", "rbit", "rev",
             "rev16", "revsh", "sxtb", "sxth", "uxtb", "uxth", "sxtb16", "uxtb16", "sxtab", "sxtah", "sxtab16", "uxtab",
             "uxtah", "uxtab16", "bfi", "bfc", "ubfx", "sbfx", "ssat", "usat", "ssat16", "usat16", "sel", "pkhbt",
             "pkhtb", "smmul", "smmulr", "smmla", "smmlar", "smmls", "smmlsr", "smlad", "smladx", "smlsd", "smlsdx",
             "smuad", "smuadx", "smusd", "smusdx", "smulbb", "smulbt", "smultb", "smultt", "smulwb", "smulwt",
             "smlabb", "smlabt", "smlatb", "smlatt", "smlawb", "smlawt", "usad8", "usada8", "qadd", "qsub", "qdadd",
             "qdsub", "qadd8", "qadd16", "qsub8", "qsub16", "qasx", "qsax", "sadd8", "sadd16", "ssub8", "ssub16",
             "sasx", "ssax", "uadd8", "uadd16", "usub8", "usub16", "uasx", "usax", "shadd8", "shadd16", "shsub8",
             "shsub16", "uhadd8", "uhadd16", "uhsub8", "uhsub16", "uqadd8", "uqadd16", "uqsub8", "uqsub16",
             "mrs", "clrex", "vadd", "vsub", "vmul", "vnmul", "vabs", "vneg", "vcvt", "vcvtr", "vcvtb", "vcvtt",
             "vmov", "vmrs", "vsel", "vmaxnm", "vminnm", "vrinta", "vrintz"} | NO_DEST | TWO_DEST | set(FP_SLOW)
KNOWN = (LOADS | STORES | DOUBLES | MULTIPLES | BRANCHES | TABLE_BRANCHES | FP_MEMORY | FP_MULTIPLES | DIVIDES
         | ONE_CYCLE)
ALIASES = {"sb": "r9", "sl": "r10", "fp": "r11", "ip": "r12", "r13": "sp", "r14": "lr", "r15": "pc"}
REG = re.compile(r"\b(r1[0-5]|r[0-9]|sp|lr|pc|ip|fp|sl|sb)\b")
LINE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f]{4})( [0-9a-f]{4})?\s*\t(\S+)\s*([^@;<]*)")


@dataclass(frozen=True)
class Insn:
    """One decoded Thumb-2 instruction: its base mnemonic (no condition, width, S or type suffix)."""
    size: int
    op: str
    operands: str
    dest: frozenset = frozenset()
    address: frozenset = frozenset()       # registers inside [...] of a load or store
    register_offset: bool = False
    count: int = 1                          # registers (words) a multiple transfer moves
    writes_pc: bool = False
    conditional: bool = False               # a condition suffix (in an IT block, or B<cc>), or CBZ/CBNZ


def _regs(text: str) -> list[str]:
    return [ALIASES.get(r, r) for r in REG.findall(text)]


def is_conditional(mnemonic: str) -> bool:
    """Does the mnemonic carry a condition (`bne`, `bxeq`, `popne`, `addeq.w`)?"""
    name = mnemonic.lower().split(".")[0]
    return base_op(mnemonic) != name and name[-2:] in COND and base_op(name[:-2]) == base_op(mnemonic) \
        and not re.fullmatch(r"it[te]{0,3}", name)


def base_op(mnemonic: str) -> str:
    """`bleq` -> bl, `lsls` -> lsl, `vadd.f32` -> vadd, `ldr.w` -> ldr, `subscs` -> sub."""
    name = mnemonic.lower().split(".")[0]
    if re.fullmatch(r"it[te]{0,3}", name):
        return "it"
    cands = [name] + ([name[:-2]] if name[-2:] in COND else [])
    for cand in cands + [c[:-1] for c in cands if c.endswith("s")]:     # exact before dropping an S
        if cand in KNOWN:
            return cand
    return name


def _list_count(operands: str) -> int:
    """Words a register list moves: {r4, r5, lr} -> 3, {s16-s31} -> 16, {d8-d9} -> 4."""
    m = re.search(r"\{([^}]*)\}", operands)
    if not m:
        return 1
    n = 0
    for item in m.group(1).split(","):
        item = item.strip()
        width = 2 if item.startswith("d") else 1
        r = re.fullmatch(r"[a-z]+(\d+)-[a-z]+(\d+)", item)
        n += width * (int(r.group(2)) - int(r.group(1)) + 1 if r else 1)
    return max(n, 1)


def decode(mnemonic: str, operands: str, size: int) -> Insn:
    """One instruction from objdump's mnemonic and operands: its kind, registers and transfer size."""
    op = base_op(mnemonic)
    regs = _regs(operands)
    bracket = re.search(r"\[([^\]]*)\]", operands)
    inside = _regs(bracket.group(1)) if bracket else []
    address = frozenset(inside)
    register_offset = len(inside) > 1
    if op in MULTIPLES:
        listed = re.search(r"\{([^}]*)\}", operands)
        lst = _regs(listed.group(1)) if listed else []
        base = [] if op in ("push", "pop") else regs[:1]
        loads = op.startswith("ldm") or op == "pop"
        dest = set(lst if loads else []) | (set(base) if "!" in operands else set())
        return Insn(size, op, operands, frozenset(dest), frozenset(base or ["sp"]), count=_list_count(operands),
                    writes_pc=loads and "pc" in lst)
    if op in FP_MULTIPLES:
        base = [] if op in ("vpush", "vpop") else regs[:1]
        return Insn(size, op, operands, frozenset(base if "!" in operands else []), frozenset(base or ["sp"]),
                    count=_list_count(operands))
    if op in LOADS or op in STORES or op in DOUBLES or op in FP_MEMORY:
        n_dest = 2 if op == "ldrd" else (1 if op in LOADS and not op.startswith(("strex", "pl")) else 0)
        dest = set(regs[:n_dest])
        if op.startswith("strex"):
            dest = set(regs[:1])
        return Insn(size, op, operands, frozenset(dest), address, register_offset, writes_pc="pc" in dest)
    if op in NO_DEST:
        return Insn(size, op, operands, writes_pc=False)
    dest = set(regs[:2] if op in TWO_DEST else regs[:1])
    if op == "vmov" and len(regs) >= 2:       # VMOV to two core registers (or from them: no core dest)
        dest = set(regs[:2]) if not re.match(r"\s*[sd]\d", operands) else set()
    elif op.startswith("v"):
        dest = set()
    return Insn(size, op, operands, frozenset(dest), writes_pc="pc" in dest)


def _decode_line(mnemonic: str, operands: str, size: int) -> Insn:
    from dataclasses import replace
    i = decode(mnemonic, operands, size)
    return replace(i, conditional=i.op in ("cbz", "cbnz") or is_conditional(mnemonic))


@lru_cache(maxsize=8)
def disassemble(elf: str) -> dict[int, Insn]:
    """address -> instruction of the program's code (arm-none-eabi-objdump)."""
    from tinycc import cortexm
    text = subprocess.run([cortexm._tool("arm-none-eabi-objdump"), "-d", str(elf)], capture_output=True, text=True,
                          check=True).stdout
    found = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m or m.group(4).startswith("."):
            continue
        found[int(m.group(1), 16)] = _decode_line(m.group(4), m.group(5).strip(), 4 if m.group(3) else 2)
    return found


def _is_data_processing(i: Insn) -> bool:
    return not (i.op in LOADS or i.op in STORES or i.op in DOUBLES or i.op in MULTIPLES or i.op in FP_MEMORY
                or i.op in FP_MULTIPLES or i.op in BRANCHES or i.op in TABLE_BRANCHES)


def cost(i: Insn, prev: Insn | None) -> int:
    """Cycles of `i` (no taken-branch refill) after `prev`, the instruction before it in the block."""
    stall = 1 if (i.address and prev is not None and _is_data_processing(prev) and prev.dest & i.address) else 0
    after_load = prev is not None and prev.op in LOADS and not prev.writes_pc and not (prev.dest & i.address)
    if i.op in LOADS:
        return (2 if i.writes_pc else (1 if after_load else 2)) + stall
    if i.op in STORES:
        return (1 if not i.register_offset or after_load else 2) + stall
    if i.op in DOUBLES:
        return 3 + stall
    if i.op in MULTIPLES or i.op in FP_MULTIPLES:
        return 1 + i.count + stall
    if i.op in FP_MEMORY:
        return 2 + stall
    if i.op in TABLE_BRANCHES:
        return 2
    if i.op in DIVIDES:
        return DIV_CYCLES
    if i.op in FP_SLOW:
        return FP_SLOW[i.op]
    if i.op == "vmov" and len(_regs(i.operands)) >= 2:
        return 2
    if i.op == "it":
        return 0 if prev is not None and prev.size == 2 else 1
    return 1


def can_branch(i: Insn) -> bool:
    """Does a taken exit after `i` pay the pipeline refill (a branch or a write of the PC)?"""
    return i.op in BRANCHES or i.op in TABLE_BRANCHES or i.writes_pc


@dataclass
class Estimate:
    """Cycles per inference (total and per part) and where the cycles above one per instruction go."""
    cycles: int
    parts: list[int]
    instructions: int
    extra: dict[str, int] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)


KINDS = ("loads and stores", "divides and FPU", "other")


def _kind(i: Insn) -> str:
    if i.address or i.op in MULTIPLES or i.op in FP_MULTIPLES:
        return "loads and stores"
    return "divides and FPU" if i.op in DIVIDES or i.op.startswith("v") else "other"


def block_cost(code: dict[int, Insn], pc: int, n: int, unknown: set | None = None) -> tuple[int, str, dict]:
    """(cycles of one run of the n-instruction block at pc without the refill of its exit, which
    exits pay P: "always" (an unconditional branch, even to the next address), "taken" (a
    conditional one: the trace's taken exits) or "never", cycles above one per instruction by
    kind)."""
    total, prev, extra = 0, None, dict.fromkeys(KINDS, 0)
    last = None
    for _ in range(n):
        i = code.get(pc)
        if i is None:           # not in the disassembly: one cycle, a 16-bit step
            if unknown is not None:
                unknown.add(f"{pc:#x}")
            total, prev, last, pc = total + 1, None, None, pc + 2
            continue
        c = cost(i, prev)
        if i.op not in KNOWN and unknown is not None:
            unknown.add(i.op)
        extra[_kind(i)] += c - 1
        total += c
        prev, last, pc = i, i, pc + i.size
    pays = "never" if last is None or not can_branch(last) else ("taken" if last.conditional else "always")
    return total, pays, extra


def estimate(elf, trace: list, samples: int, wait_states: int = 0) -> Estimate:
    """Cycles per inference from the plugin's trace [(part, pc, n, runs, taken, misses), ...]."""
    code = disassemble(str(elf))
    parts: dict[int, int] = {}
    extra = {**dict.fromkeys(KINDS, 0), "taken branches": 0, "flash wait states": 0}
    unknown: set[str] = set()
    insns = 0
    cache: dict[tuple[int, int], tuple] = {}
    for part, pc, n, runs, taken, misses in trace:
        if (pc, n) not in cache:
            cache[(pc, n)] = block_cost(code, pc, n, unknown)
        cyc, pays, kinds = cache[(pc, n)]
        refill = {"always": runs, "taken": taken, "never": 0}[pays] * P
        waits = misses * wait_states
        parts[part] = parts.get(part, 0) + runs * cyc + refill + waits
        insns += runs * n
        for k, v in kinds.items():
            extra[k] += runs * v
        extra["taken branches"] += refill
        extra["flash wait states"] += waits
    s = max(samples, 1)
    per_part = [parts.get(i, 0) // s for i in range(max(parts, default=-1) + 1)]
    return Estimate(sum(parts.values()) // s, per_part, insns // s, {k: v // s for k, v in extra.items()}, unknown)

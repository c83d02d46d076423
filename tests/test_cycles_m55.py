"""tinycc/cycles_m55.py's rules on decoded instructions (objdump's text for ARMv8.1-M): Helium
instructions two cycles, 32-bit-lane multiplies four, one less after a vector instruction of the other
kind, gathers and scatters one element a cycle, predicated forms as their base, loop and predicate
control one cycle, a low-overhead loop's LE without a refill; scalar ones as the Cortex-M4 model."""
from __future__ import annotations

from tinycc import cycles, cycles_m55


def _insn(text: str) -> cycles.Insn:
    from dataclasses import replace
    mnemonic, _, operands = text.partition(" ")
    i = cycles._decode_line(mnemonic, operands.strip(), 4)
    name = mnemonic.lower().split(".")[0]
    if name.startswith("v") or name in cycles_m55.SINGLE:
        i = replace(i, op=cycles_m55._mve_op(name), operands=mnemonic.lower() + " " + operands.strip())
    return i


def test_vector_costs_overlap_and_gathers():
    load, mac = _insn("vldrb.s8 q0, [r1], #16"), _insn("vmlava.s8 r2, q0, q1")
    assert cycles_m55.cost(load, None) == 2
    assert cycles_m55.cost(mac, load) == 1                      # overlaps the load's second half
    assert cycles_m55.cost(mac, mac) == 2                       # same kind: no overlap
    assert cycles_m55.cost(_insn("vmul.i32 q0, q1, q2"), None) == 4
    assert cycles_m55.cost(_insn("vmul.i16 q0, q1, q2"), None) == 2
    assert cycles_m55.cost(_insn("vqrdmulh.s32 q0, q1, q2"), load) == 3
    assert cycles_m55.cost(_insn("vldrw.u32 q0, [r0, q1, uxtw #2]"), None) == 4      # gather, 4 words
    assert cycles_m55.cost(_insn("vstrb.8 q0, [r0, q1]"), None) == 16                 # scatter, 16 bytes
    assert cycles_m55.cost(_insn("vldrbt.s32 q3, [r6]"), None) == 2                   # a VPT block's form
    assert cycles_m55.cost(_insn("vmlavat.s8 r0, q1, q2"), load) == 1
    for ctl in ("vctp.8 r3", "vpst", "dls lr, r2", "le lr, 10000294"):
        assert cycles_m55.cost(_insn(ctl), None) == 1


def test_scalar_instructions_as_the_cortex_m4_model():
    for text in ("ldr r0, [r1, #4]", "smlad r0, r1, r2, r0", "sdiv r0, r1, r2", "ldrd r0, r1, [r2]"):
        i = _insn(text)
        assert cycles_m55.cost(i, None) == cycles.cost(i, None)


def test_a_loop_end_pays_no_refill_a_branch_does():
    code = {0: _insn("vldrb.s8 q0, [r1], #16"), 4: _insn("vmlava.s8 r2, q0, q1"), 8: _insn("le lr, 0")}
    assert cycles_m55.block_cost(code, 0, 3) == (2 + 1 + 1, "never")
    code[8] = _insn("bne.w 0")
    assert cycles_m55.block_cost(code, 0, 3)[1] == "taken"

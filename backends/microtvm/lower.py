"""One fused TIR function of Apache TVM 0.27 -> a plain C99 function with raw typed pointers.

TVM 0.27 has no AOT executor and its `target="c"` build emits kernels in the packed FFI
calling convention. This module takes a fused PrimFunc (after Relax's LegalizeOps, FuseOps,
FuseTIR) and
1. schedules it for a microcontroller: injective producers (padding) are inlined, the
   epilogue of a reduction (bias, activation) is computed per output element right after the
   reduction, so no full-size intermediate is left on the stack, and the reduction's init is
   hoisted out of its loops;
2. rewrites its buffer parameters into typed pointers (`float* x`) with declared buffers over
   them, and marks it `calling_conv = 1` so no packed-API wrapper is generated;
3. lowers it with a small TIR pipeline (no MakePackedAPI, no LowerTVMBuiltin) and runs TVM's C
   code generator;
4. strips the TVM runtime includes from the source, leaving C99 with <stdint.h>/<math.h>.
Known 0.27 quirk: its default pipeline reads `tir.disable_vectorize` while the option is
registered as `tirx.disable_vectorize`; this pipeline does not vectorise at all.
"""
from __future__ import annotations

import re

PRELUDE = "#include <stdint.h>\n#include <stdbool.h>\n#include <math.h>\n"


def _tvm():
    import tvm
    import tvm.s_tir  # noqa: F401
    return tvm


def schedule_for_mcu(func):
    """Inline padding-like producers; compute reduction epilogues per output element."""
    tvm = _tvm()
    sch = tvm.s_tir.Schedule(func)
    for block in list(sch.get_child_blocks(sch.get_sblock("root"))):
        try:
            sch.compute_inline(block)
        except Exception:          # not inlinable (a reduction, or the function's output): keep it
            pass
    for block in list(sch.get_child_blocks(sch.get_sblock("root"))):
        b = sch.get(block)
        kinds = [int(iv.iter_type) for iv in b.iter_vars]
        if 2 not in kinds:          # not a reduction
            continue
        spatial = kinds.index(2) if kinds[:kinds.index(2)].count(0) == kinds.index(2) else 0
        if spatial == 0:
            continue
        loops = sch.get_loops(block)
        for consumer in list(sch.get_consumers(block)):
            try:
                sch.reverse_compute_at(consumer, loops[spatial - 1])
            except Exception:
                pass
        try:                        # the init before the reduction loops, not under an if inside them
            sch.decompose_reduction(block, sch.get_loops(block)[spatial])
        except Exception:
            pass
    return sch.mod["main"]


def _pointer_params(func):
    """The function re-parsed with T.handle parameters and T.decl_buffer views over them."""
    tvm = _tvm()
    src = func.script()
    m = re.search(r"def main\((.*?)\):\n", src, re.S)
    params = re.findall(r"(\w+): T\.Buffer\((\(.*?\)), \"(\w+)\"\)", m.group(1))
    if len(params) != len(func.params):
        raise ValueError(f"unexpected parameter list: {m.group(1)[:200]}")
    signature = ", ".join(f'{n}_ptr: T.handle("{d}")' for n, _, d in params)
    decls = "".join(f'    {n} = T.decl_buffer({shape}, "{d}", data={n}_ptr)\n' for n, shape, d in params)
    rest = src[m.end():]
    attrs = re.match(r"(\s*T\.func_attr\(.*?\)\n)", rest)
    head = attrs.group(1) if attrs else ""
    rest = rest[len(head):]
    text = src[:m.start()] + f"def main({signature}):\n" + head + decls + rest
    text = text.replace("@T.prim_func(private=True, s_tir=True)", "@T.prim_func(s_tir=True)")
    return tvm.script.from_source(text)


# --tvm-opt knobs: schedule=mcu|none (none keeps TVM's legalised form: whole intermediates on
# the stack, for comparison), unroll=N (TVM unrolls loops of at most N iterations: faster,
# larger code), cse=1|0 (common subexpression elimination), dsp=1|0 (int8 convolutions and fully
# connected through the tensorised DSP schedules of dsp.py; 0: the scalar tensor expressions).
TVM_OPTIONS = {"schedule": ("mcu", "none"), "unroll": None, "cse": ("1", "0"), "dsp": ("1", "0")}
DEFAULT_OPTIONS = {"schedule": "mcu", "unroll": "0", "cse": "1", "dsp": "1"}


def parse_options(items) -> dict:
    """{'schedule': 'mcu', ...} from ['unroll=8', ...]; unknown keys or values raise ValueError."""
    opts = dict(DEFAULT_OPTIONS)
    for item in items or []:
        key, _, value = str(item).partition("=")
        if key not in TVM_OPTIONS:
            raise ValueError(f"unknown --tvm-opt {key!r} (known: {', '.join(TVM_OPTIONS)})")
        allowed = TVM_OPTIONS[key]
        if allowed is None and not value.isdigit() or allowed is not None and value not in allowed:
            expected = "a number" if allowed is None else " or ".join(allowed)
            raise ValueError(f"--tvm-opt {key}={value!r}: expected {expected}")
        opts[key] = value
    return opts


def _pipeline(opts: dict):
    tvm = _tvm()
    s, x = tvm.s_tir.transform, tvm.tirx.transform
    passes = [s.CanonicalizeLoop(), s.LowerInitBlock(), s.PlanAndUpdateBufferAllocationLocation(),
              s.ConvertBlocksToOpaque(), s.CompactBufferAllocation(), s.LowerMatchBuffer(), s.StmtSimplify(),
              s.LowerOpaqueBlock(), x.FlattenBuffer(), x.NarrowDataType(32), x.StorageRewrite()]
    if int(opts["unroll"]) > 0:
        passes.append(x.UnrollLoop())
    passes += [x.StmtSimplify(), x.RemoveNoOp()]
    if opts["cse"] == "1":
        passes.append(x.CommonSubexprElim())
    passes.append(x.LowerIntrin())
    return tvm.transform.Sequential(passes)


def lower_to_c(func, symbol: str, opts: dict | None = None) -> str:
    """C99 source of one fused PrimFunc as `void symbol(T* p0, T* p1, ...)` (outputs last)."""
    return PRELUDE + lower_kernel(func, symbol, opts)


def lower_kernel(func, symbol: str, opts: dict | None = None) -> str:
    """The kernel's C without the includes (for a file holding several kernels)."""
    tvm = _tvm()
    opts = {**DEFAULT_OPTIONS, **(opts or {})}
    if opts["schedule"] == "mcu":
        func = schedule_for_mcu(func)
    func = _pointer_params(func)
    target = tvm.target.Target("c")
    func = func.with_attrs({"global_symbol": symbol, "calling_conv": 1, "target": target, "tirx.noalias": True})
    mod = tvm.IRModule({symbol: func})
    config: dict[str, object] = {"tirx.disable_vectorize": True}
    if int(opts["unroll"]) > 0:
        config["tirx.UnrollLoop"] = {"auto_max_step": int(opts["unroll"]), "explicit_unroll": True}
    with tvm.transform.PassContext(config=config):
        mod = _pipeline(opts)(mod)
        source = tvm.get_global_func("target.build.c")(mod, target).inspect_source()
    return clean_source(source)


DROP = ("#include", "#define TVM_EXPORTS", "// tvm target:", "#ifdef __cplusplus", 'extern "C"', "#endif")


def clean_source(source: str) -> str:
    """TVM's C with the runtime includes, the FFI library handle and the export macros removed."""
    lines = [line.replace("TVM_DLL ", "") for line in source.splitlines()
             if not line.startswith(DROP) and "__tvm_ffi__library_ctx" not in line]
    return "\n".join(lines).strip() + "\n"

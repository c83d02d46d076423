"""The `microtvm` backend: AOT C through Apache TVM, in a Model Library Format-like folder.

TVM (0.27) builds every fused kernel (`lower.py`); tinycc walks the fused, static Relax `main`
and writes the run function itself, with the intermediates planned into one static arena and
the weights as `const` arrays. Output folder for `--name NAME`:
  codegen/host/src/NAME_lib.c           TVM's kernels + tvmgen_NAME_run()
  codegen/host/include/tvmgen_NAME.h    the microTVM interface (input/output structs, run)
  metadata.json                         memory plan, kernels, TVM version
  NAME.h, NAME.c                        the `c` backend's NAME_invoke() interface as a wrapper
No TVM runtime and no heap. float32 models for now (int8 goes to the `c` backend).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

import tinycc
from tinycc.backends.c import names
from tinycc.backends.c.emitter import CTYPES, c_values
from tinycc.core import planner
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.hookspec import hookimpl

PASSES = ("LegalizeOps", "AnnotateTIROpPattern", "FoldConstant", "FuseOps", "FuseTIR")


def _tvm():
    try:
        import tvm
        from tvm import relax  # noqa: F401
    except ImportError:
        raise TinyccError("Apache TVM is not installed", hint="pip install 'tinycc-ml[tvm]'") from None
    return tvm


def fused_module(g: Graph):
    tvm = _tvm()
    from tvm import relax
    from tinycc.backends.microtvm.relax_builder import to_relax
    mod = to_relax(g)
    return tvm.transform.Sequential([getattr(relax.transform, p)() for p in PASSES])(mod)


def generate(g: Graph, name: str) -> tuple[dict[str, str], dict]:
    tvm = _tvm()
    from tvm import relax
    from tinycc.backends.microtvm.lower import PRELUDE, lower_to_c
    mod = fused_module(g)
    main = mod["main"]
    bindings = [b for blk in main.body.blocks for b in blk.bindings]
    result = main.body.body
    out_vars = list(result.fields) if isinstance(result, relax.Tuple) else [result]
    if any(not isinstance(v, relax.Var) for v in out_vars):
        raise TinyccError("a model output is not computed by a kernel", file=g.source)
    known: list = []                  # Relax vars are told apart by identity: names repeat ("lv")

    def key(var) -> str:
        for k, v in enumerate(known):
            if v.same_as(var):
                return f"t{k}"
        known.append(var)
        return f"t{len(known) - 1}"

    inputs = {key(p): i for i, p in enumerate(main.params)}
    outputs = {key(v): i for i, v in enumerate(out_vars)}

    kernels: dict[str, str] = {}
    consts: list[tuple[str, np.ndarray]] = []
    const_names: dict[tuple, str] = {}
    calls, first, last, sizes = [], {}, {}, {}
    for k, b in enumerate(bindings):
        call = b.value
        if not (hasattr(call, "op") and getattr(call.op, "name", "") == "relax.call_tir"):
            raise TinyccError(f"unexpected Relax binding {b.var.name} after fusion", file=g.source)
        fn = call.args[0].name_hint
        symbol = f"tvmgen_{name}_{names.identifier(fn, 'kernel')}"
        if symbol not in kernels:
            kernels[symbol] = lower_to_c(mod[call.args[0]], symbol)
        args = []
        for a in call.args[1].fields:
            if isinstance(a, relax.Var):
                args.append(("var", key(a)))
                last[key(a)] = k
            else:
                data = np.ascontiguousarray(a.value.numpy())
                ckey = (data.dtype.str, data.shape, hashlib.sha256(data.tobytes()).hexdigest())
                if ckey not in const_names:
                    const_names[ckey] = f"tvmgen_{name}_const_{len(consts)}"
                    consts.append((const_names[ckey], data))
                args.append(("const", const_names[ckey]))
        var = key(b.var)
        shape = [int(v) for v in b.var.ty.shape.values]
        dtype = str(b.var.ty.dtype)
        sizes[var] = (int(np.prod(shape)) * np.dtype(dtype).itemsize, dtype)
        first[var] = k
        last.setdefault(var, k)
        calls.append((symbol, args, var))

    buffers = [planner.Buffer(v, planner.align(sizes[v][0]), first[v], last[v]) for v in sizes if v not in outputs]
    arena = planner.place_buffers(buffers)
    offsets = {b.name: b.offset for b in buffers}

    def ptr(kind, ref):
        # void * converts to each kernel's own parameter type, whatever its dtype
        if kind == "const":
            return f"(void *){ref}"
        if ref in inputs:
            return f"inputs->{_field(g.inputs[inputs[ref]], inputs[ref], 'input')}"
        if ref in outputs:
            return f"outputs->{_field(g.outputs[outputs[ref]], outputs[ref], 'output')}"
        return f"(void *)(tvmgen_{name}_arena + {offsets[ref]})"

    body = [f"    {sym}({', '.join(ptr(*a) for a in args)}, {ptr('var', out)});" for sym, args, out in calls]
    for i, v in enumerate(out_vars):                       # an output that is only an input: copy it
        if key(v) in inputs:
            body.append(f"    memcpy(outputs->{_field(g.outputs[i], i, 'output')}, "
                        f"inputs->{_field(g.inputs[inputs[key(v)]], inputs[key(v)], 'input')}, "
                        f"{g.tensors[g.outputs[i]].nbytes});")
    kernel_src = "\n".join(re.sub(r"^.*?#endif\n", "", src, count=1, flags=re.S) for src in kernels.values())
    const_src = "\n".join(f"static const {CTYPES[str(a.dtype)]} {n}[{max(a.size, 1)}] = {{\n    {c_values(a.reshape(-1))}\n}};"
                          for n, a in consts)
    ctx = _context(g, name)
    lib = (f"/* {name}_lib.c: TVM {tvm.__version__} kernels and the run function of \"{ctx['comment']}\", "
           f"generated by tinycc {tinycc.__version__}. Do not edit. */\n" + PRELUDE +
           f"#include <string.h>\n#include \"tvmgen_{name}.h\"\n\n"
           f"static unsigned char tvmgen_{name}_arena[{max(arena, 16)}] __attribute__((aligned(16)));\n\n"
           f"{const_src}\n\n{kernel_src}\n"
           f"int32_t tvmgen_{name}_run(struct tvmgen_{name}_inputs *inputs, struct tvmgen_{name}_outputs *outputs) {{\n"
           + "\n".join(body) + "\n    return 0;\n}\n")
    files = {f"codegen/host/src/{name}_lib.c": lib,
             f"codegen/host/include/tvmgen_{name}.h": _header(g, name, ctx),
             f"{name}.h": _wrapper_h(g, name, ctx, arena), f"{name}.c": _wrapper_c(g, name)}
    flash = int(sum(a.nbytes for _, a in consts))
    meta = {"tinycc_version": tinycc.__version__, "tvm_version": tvm.__version__, "name": name,
            "model": ctx["comment"], "executor": "aot (tinycc run function)", "arena_bytes": arena,
            "pools": [{"name": f"tvmgen_{name}_arena", "bytes": arena, "alignment": planner.ALIGN}],
            "memory_plan": {b.name: {"offset": b.offset, "bytes": b.size} for b in buffers},
            "kernels": sorted(kernels), "constants_bytes": flash, "relax_passes": list(PASSES),
            "tir_options": {"vectorize": False, "schedule": "inline padding, per-element epilogues"}}
    files["metadata.json"] = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    report = {"arena_bytes": arena, "flash_weights_bytes": flash, "kernels": len(kernels),
              "input_bytes": sum(g.tensors[t].nbytes for t in g.inputs),
              "output_bytes": sum(g.tensors[t].nbytes for t in g.outputs)}
    return files, report


def _field(tensor: str, index: int, kind: str) -> str:
    return f"{kind}{index}"


def _context(g: Graph, name: str) -> dict:
    return {"comment": names.comment(Path(g.source).name or g.name, 80)}


def _header(g: Graph, name: str, ctx: dict) -> str:
    guard = f"TVMGEN_{name.upper()}_H_"
    lines = [f"/* tvmgen_{name}.h: the microTVM interface of \"{ctx['comment']}\", generated by tinycc. */",
             f"#ifndef {guard}", f"#define {guard}", "#include <stdint.h>", "#ifdef __cplusplus", 'extern "C" {',
             "#endif", ""]
    for kind, tensors in (("input", g.inputs), ("output", g.outputs)):
        for i, t in enumerate(tensors):
            tt = g.tensors[t]
            lines.append(f"/* {kind} {i}: \"{names.comment(t, 60)}\" {tt.dtype} {list(tt.shape)} */")
            lines.append(f"#define TVMGEN_{name.upper()}_{kind.upper()}{i}_SIZE {tt.nbytes}")
        lines.append(f"struct tvmgen_{name}_{kind}s {{")
        lines += [f"    void *{kind}{i};" for i in range(len(tensors))]
        lines += ["};", ""]
    lines += [f"int32_t tvmgen_{name}_run(struct tvmgen_{name}_inputs *inputs, struct tvmgen_{name}_outputs *outputs);",
              "", "#ifdef __cplusplus", "}", "#endif", f"#endif  /* {guard} */", ""]
    return "\n".join(lines)


def _wrapper_h(g: Graph, name: str, ctx: dict, arena: int) -> str:
    N = name.upper()
    return "\n".join([
        f"/* {name}.h: the tinycc C interface of \"{ctx['comment']}\" over the microTVM run function. */",
        f"#ifndef {N}_H", f"#define {N}_H", "#include <stddef.h>", "#ifdef __cplusplus", 'extern "C" {', "#endif",
        f"#define {N}_NUM_INPUTS  {len(g.inputs)}", f"#define {N}_NUM_OUTPUTS {len(g.outputs)}",
        f"#define {N}_ARENA_BYTES {arena}   /* all static RAM the model needs */",
        f"extern const size_t {name}_input_bytes[{N}_NUM_INPUTS];",
        f"extern const size_t {name}_output_bytes[{N}_NUM_OUTPUTS];",
        f"int {name}_invoke(const void *const inputs[], void *const outputs[]);  /* 0 = ok */",
        "#ifdef __cplusplus", "}", "#endif", f"#endif /* {N}_H */", ""])


def _wrapper_c(g: Graph, name: str) -> str:
    ins = ", ".join(str(g.tensors[t].nbytes) for t in g.inputs)
    outs = ", ".join(str(g.tensors[t].nbytes) for t in g.outputs)
    set_in = "\n".join(f"    in.input{i} = (void *)inputs[{i}];" for i in range(len(g.inputs)))
    set_out = "\n".join(f"    out.output{i} = outputs[{i}];" for i in range(len(g.outputs)))
    return (f"/* {name}.c: {name}_invoke() over tvmgen_{name}_run(), generated by tinycc. */\n"
            f"#include \"{name}.h\"\n#include \"tvmgen_{name}.h\"\n\n"
            f"const size_t {name}_input_bytes[{len(g.inputs)}] = {{ {ins} }};\n"
            f"const size_t {name}_output_bytes[{len(g.outputs)}] = {{ {outs} }};\n\n"
            f"int {name}_invoke(const void *const inputs[], void *const outputs[]) {{\n"
            f"    struct tvmgen_{name}_inputs in;\n    struct tvmgen_{name}_outputs out;\n"
            f"    if (inputs == NULL || outputs == NULL) return 1;\n{set_in}\n{set_out}\n"
            f"    return tvmgen_{name}_run(&in, &out) == 0 ? 0 : 2;\n}}\n")


class MicroTVMBackend:
    name = "microtvm"
    description = "ahead-of-time C through Apache TVM 0.27: TVM kernels, tinycc run function and arena"

    def compile(self, g: Graph, plan, outdir: Path, options: dict) -> dict:
        name = names.identifier(options.get("name") or "model", "model")
        files, report = generate(g, name)
        for fname, text in sorted(files.items()):
            path = Path(outdir) / fname
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="ascii", newline="\n")
        return {**report, "files": sorted(files)}


@hookimpl
def tinycc_backends():
    return [MicroTVMBackend()]

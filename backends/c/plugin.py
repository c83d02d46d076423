"""The `c` backend: plain C99, ahead of time. One function per model, one static arena,
weights as `const` arrays, no heap, no interpreter.

Writes NAME.h (the interface), NAME.c (kernels, arena, NAME_invoke) and NAME_weights.{h,c}.
Debug builds (-DTINYCC_ARENA_CANARY) surround the arena with canaries checked around every
invoke (NAME_ERROR_ARENA_CANARY); without the macro the code is the release one.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

import tinycc
from tinycc.backends import project_files
from tinycc.backends.c import names, status, weights_blob
from tinycc.backends.c import ops as c_ops
from tinycc.backends.c.emitter import CModule, state_resets
from tinycc.backends.c.ops import _inplace, lut
from tinycc.core import ops
from tinycc.core.backend import Option
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.hookspec import hookimpl
from tinycc.core.planner import MemoryPlan

OPTIMIZE = ("speed", "size")      # --optimize
# NAME_invoke's status when a debug build (-DTINYCC_ARENA_CANARY) finds the arena's canary clobbered
ARENA_CANARY_ERROR = 99


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("tinycc.backends.c", "templates"),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)


def _io(g: Graph, kind: str, index: int, tname: str) -> dict:
    t = g.tensors[tname]
    scale = zp = None
    if t.quant is not None and not t.quant.per_channel:
        scale, zp = repr(float(t.quant.scale[0])) + "f", int(t.quant.zero_point[0])
    return {"kind": kind, "KIND": kind.upper(), "index": index, "comment": names.comment(tname, 80),
            "dtype": t.dtype, "shape": list(t.shape), "bytes": t.nbytes, "scale": scale, "zero_point": zp}


def generate(g: Graph, plan: MemoryPlan, name: str, twins=None, includes=(),
             optimize: str = "speed", blob: bool = False) -> tuple[dict[str, str], dict]:
    """The output files (file name -> text) and the size report. `twins(node, g)` may return
    another backend's emitter for a node (a vendor twin); the c emitters are the fallback.
    `includes`: more headers NAME.c includes after NAME.h (a vendor library's, for its twins).
    `optimize`: "speed" (the fast kernel variants where they apply) or "size" (reference kernels only).
    `blob`: the constants in NAME.weights (its bytes: report["weights_blob"]) read through NAME_set_weights
    (weights_blob.py)."""
    m = CModule(g, plan, name)
    m.optimize = optimize
    if blob:
        m.blob = True
        m.namer.used |= weights_blob.public_symbols(name)
    for i, node in enumerate(g.nodes):
        params = ops.require(node.op).prepare(node, g)
        m.emit(f"/* {i}: {node.op} \"{names.comment(node.name, 80)}\" */")
        m.emit("TINYCC_LAYER_MARK();")
        # int8 -> int8 elementwise ops are one table lookup, whatever the op
        emitter = twins(node, g) if twins is not None else None
        if _inplace.applies(node, plan):      # the output is planned over the input: only this kernel fits
            emitter = _inplace
        if emitter is None:
            emitter = lut if lut.applies(node, g) else c_ops.get(node.op)
        if emitter is None:
            dtype = g.tensors[node.inputs[0]].dtype if node.inputs and node.inputs[0] else "?"
            raise TinyccError(f"the c backend has no {dtype} kernel for this operator", node=node.name, op=node.op,
                              file=g.source,
                              hint="use the reference interpreter to check the model, or another backend")
        emitter.emit(node, m, params)
    # outputs not written by an op: constants, pass-through inputs, repeated outputs
    written = {o for node in g.nodes for o in node.outputs}
    for i, out in enumerate(g.outputs):
        first = g.outputs.index(out)
        t = g.tensors[out]
        if first != i:
            m.copy(f"outputs[{i}]", f"outputs[{first}]", t.nbytes)
        elif out not in written:
            m.copy(f"outputs[{i}]", m.ptr(out, const=True) if t.is_const else f"inputs[{g.inputs.index(out)}]",
                   t.nbytes)
    flash = sum(w["nbytes"] for w in m.weights)
    arena_bytes = m.program["end"] if m.program["text"] else plan.arena_bytes   # + the subgraphs' regions
    ctx = {"name": name, "NAME": name.upper(), "version": tinycc.__version__,
           "model_comment": names.comment(Path(g.source).name or g.name, 80),
           "inputs": [_io(g, "input", i, t) for i, t in enumerate(g.inputs)],
           "outputs": [_io(g, "output", i, t) for i, t in enumerate(g.outputs)],
           "arena_bytes": arena_bytes, "bound_bytes": plan.bound_bytes, "weights": m.weights,
           "functions": m.program["text"],
           "flash_bytes": flash, "kernels": m.kernel_source(), "locals": m.locals, "body": m.body,
           "needs_math": m.needs_math, "needs_string": m.needs_string, "canary_error": ARENA_CANARY_ERROR,
           "index_error": status.INDEX_OUT_OF_RANGE if "INDEX_OUT_OF_RANGE" in m.program["status"] else None,
           "boxes_error": status.INVALID_BOXES if "INVALID_BOXES" in m.program["status"] else None,
           "includes": list(includes), "state_bytes": plan.state_bytes, "state_resets": state_resets(g, plan),
           "blob": None}
    env = _env()
    data = None
    if blob:
        code = "\n".join([ctx["kernels"], *m.locals, *m.body, *m.program["text"], str(arena_bytes),
                          str(plan.state_bytes)])
        data, lhash = weights_blob.blob(m.weights, code)
        ctx["blob"] = weights_blob.context(m.weights, lhash, len(data) - weights_blob.HEADER_BYTES, name)
    suffix = "_blob" if blob else ""
    files = {
        f"{name}.h": env.get_template("model.h.j2").render(ctx),
        f"{name}.c": env.get_template("model.c.j2").render(ctx),
        f"{name}_weights.h": env.get_template(f"weights{suffix}.h.j2").render(ctx),
        f"{name}_weights.c": env.get_template(f"weights{suffix}.c.j2").render(ctx)}
    if data is not None:
        flash = len(data)
    report = {"arena_bytes": arena_bytes, "bound_bytes": plan.bound_bytes, "flash_weights_bytes": flash,
              "input_bytes": sum(g.tensors[t].nbytes for t in g.inputs),
              "output_bytes": sum(g.tensors[t].nbytes for t in g.outputs)}
    if data is not None:
        report["weights_blob_bytes"] = len(data)       # NAME.weights: the flash the constants take, outside the code
        report["weights_blob"] = data
    if plan.state_bytes:
        report["state_bytes"] = plan.state_bytes          # the persistent state buffer, beside the arena
    return files, report


class CBackend:
    name = "c"
    description = "plain C99, ahead of time: one function, one static arena, const weights"
    # its kernels honour in-place pairs, and its concat copies nothing for inputs planned in their slot
    plan_options = {"inplace": True, "schedule": True, "concat_alias": True}
    # MAC-based latency estimate: instructions per MAC measured under QEMU (MLPerf Tiny int8 models on
    # Cortex-M4/M7/M33), rounded up
    cycles_per_mac = 12.0
    cycles_per_mac_basis = "tinycc's c kernels: 6-14 instructions per MAC measured under QEMU on MLPerf Tiny models"
    options = (Option("--optimize", "c backend: speed (default: the fast kernel variants, with their re-laid "
                      "constants) or size (the reference kernels only: the least flash; the same output bytes)",
                      argparse={"choices": OPTIMIZE, "default": None}),
               Option("--weights-blob", "c backend: every constant in one binary NAME.weights (header: magic, "
                      "version, layout hash, length, CRC-32) that the code reads through NAME_set_weights(), so "
                      "retrained weights with the same layout swap in without rebuilding the code",
                      argparse={"action": "store_true", "default": None}),)

    def compile(self, g: Graph, plan: MemoryPlan, outdir: Path, options: dict) -> dict:
        name = names.model_name(options.get("name"), "model")
        optimize = options.get("optimize") or "speed"
        if optimize not in OPTIMIZE:
            raise TinyccError(f"unknown --optimize {optimize!r}", hint="speed or size")
        blob = bool(options.get("weights_blob"))
        files, report = generate(g, plan, name, optimize=optimize, blob=blob)
        data = report.pop("weights_blob", None)
        extra = [] if data is None else [(f"{name}.weights", f"the weights blob ({len(data):,} B, --weights-blob): "
                                          f"pass it to `{name}_set_weights()` before the first `{name}_invoke()`")]
        project = project_files.model_library(g, name, "c", "plain C99 model library", report, options,
                                              extra_files=extra)
        files.update(project_files.render(project, g))
        written = project_files.write(files, outdir)
        if data is None:
            return {**report, "files": written}
        (Path(outdir) / f"{name}.weights").write_bytes(data)          # --weights-blob
        return {**report, "files": sorted([*written, f"{name}.weights"])}


@hookimpl
def tinycc_backends():
    return [CBackend()]

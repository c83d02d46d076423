"""The `tflm` backend: the model as a TFLite flatbuffer in a C array plus a TF Lite Micro stub.

Writes `NAME_model_data.h/.cc` (the seed's `alignas(16)` array, twelve bytes a line),
`NAME_main.cc` (MicroMutableOpResolver with exactly the operators in the flatbuffer, an arena
sized from TF Lite Micro's own `print_allocations()` measurement plus 10%), `CMakeLists.txt`,
`README.md` (the memory budget) and, with `--board`, an Arduino sketch. tinycc's memory plan is
embedded as TFLM's OfflineMemoryAllocation metadata unless the source flatbuffer is kept
(`--keep-flatbuffer`). `--verify` runs the written flatbuffer in TF Lite Micro against tinycc's
reference interpreter before anything is reported.
"""
from __future__ import annotations

import math
from pathlib import Path

import jinja2
import numpy as np

import tinycc
from tinycc.backends import project_files
from tinycc.backends.c import names
from tinycc.backends.tflm import custom_ops, untouched
from tinycc.backends.tflm.boards import STACK_RESERVE
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.backends.tflm.interpreter import measure_arena, run_tflm
from tinycc.core import interpreter as reference
from tinycc.core import ops, planner
from tinycc.core.backend import Option
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.hookspec import hookimpl
from tinycc.core.samples import random_inputs

MARGIN = 1.10
# TFLite builtin -> TFLM resolver method where it is not "Add" + the capitalised parts (core/ops/<op>.py TFLITE)
RESOLVER = {builtin: method for name in ops.supported() if (codec := ops.tflite(name)) is not None
            for builtin, method in codec.resolver.items()}
# operator -> the most inputs TF Lite Micro's kernel takes (core/ops/<op>.py TFLITE max_inputs)
INPUT_LIMITS = {name: codec.max_inputs for name in ops.supported()
                if (codec := ops.tflite(name)) is not None and codec.max_inputs is not None}
CTYPES = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "float32": "float", "uint8": "uint8_t"}
VERIFY_SAMPLES = 3
FLOAT_TOL = 1e-4


def arena_with_margin(measured: int) -> int:
    """TFLM's measured need plus 10%, rounded up to 16 bytes (<= 1.1 x measured + 16)."""
    return int(math.ceil(measured * MARGIN / 16.0)) * 16


def resolver_entries(model: bytes) -> list[tuple[str, str, str | None]]:
    """(name, resolver call, declaration or None) for every operator of the flatbuffer, sorted by
    name: builtins by their MicroMutableOpResolver method, custom operators by custom_ops."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    names_by_code = {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_") and isinstance(v, int)}
    m = s.Model.GetRootAs(model, 0)
    entries: dict[str, tuple[str, str, str | None]] = {}
    for i in range(m.OperatorCodesLength()):
        code = m.OperatorCodes(i)
        builtin = names_by_code.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM")
        if builtin == "CUSTOM":
            custom = (code.CustomCode() or b"").decode("utf-8", "replace")
            if not custom_ops.known(custom):
                raise TinyccError(f"custom operator {custom!r} is not one TF Lite Micro provides",
                                  hint="the tflm backend registers TF Lite Micro's own operators only")
            entries[custom] = (custom, custom_ops.call(custom), custom_ops.declaration(custom))
            continue
        method = RESOLVER.get(builtin, "Add" + "".join(part.capitalize() for part in builtin.split("_")))
        entries[method] = (method, method + "()", None)
    return [entries[k] for k in sorted(entries)]


def resolver_methods(model: bytes) -> list[str]:
    """The resolver's entries by name (builtin methods, custom operator codes), sorted."""
    return [name for name, _, _ in resolver_entries(model)]


def _shortened(text: str, limit: int = 240) -> str:
    """`text` cut at a list separator before `limit` characters, with ", ..." when cut."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(", ", 0, limit), text.rfind("; ", 0, limit))
    return text[:cut if cut > 0 else limit] + ", ..."


def c_array_rows(data: bytes, per_line: int = 12) -> str:
    return ",\n".join("  " + ", ".join(f"0x{b:02x}" for b in data[i:i + per_line])
                      for i in range(0, len(data), per_line))


def verify(g: Graph, model: bytes, seed: int = 0) -> None:
    """The flatbuffer in TF Lite Micro vs tinycc's reference: identical integers, floats within 1e-4."""
    rng = np.random.default_rng(seed)
    for k in range(VERIFY_SAMPLES):
        xs = random_inputs(g, rng)
        expected = reference.run(g, xs)
        got = run_tflm(model, xs)
        for i, (e, o) in enumerate(zip(expected, got)):
            o = np.asarray(o).reshape(e.shape)
            ok = np.allclose(o, e, rtol=FLOAT_TOL, atol=FLOAT_TOL) if e.dtype == np.float32 else np.array_equal(o, e)
            if not ok:
                raise TinyccError(f"verification failed: TF Lite Micro's output {i} differs from tinycc's reference "
                                  f"on random sample {k} (max difference {np.abs(o.astype(float) - e).max():g})",
                                  file=g.source, hint="please report this with the model")


def _io(g: Graph, kind: str, index: int, name: str) -> dict:
    t = g.tensors[name]
    q = t.quant
    return {"kind": kind, "Kind": kind.capitalize(), "KIND": kind.upper(), "index": index, "dtype": t.dtype,
            "shape": list(t.shape),
            "bytes": t.nbytes, "count": max(t.size, 1), "ctype": CTYPES.get(t.dtype, "uint8_t"),
            "scale": None if q is None or t.dtype == "float32" else repr(float(q.s)) + "f",
            "zero_point": None if q is None else q.zp}


def build_flatbuffer(g: Graph, options: dict) -> tuple[bytes, bool]:
    """(flatbuffer, whether tinycc's offline plan is embedded)."""
    if options.get("keep_flatbuffer"):
        if g.metadata.format != "tflite" or not Path(g.source).is_file():
            raise TinyccError("--keep-flatbuffer needs a .tflite source model", file=g.source,
                              hint="other models are always written by tinycc")
        return Path(g.source).read_bytes(), False
    if options.get("offline_plan", True) and g.subgraphs:
        g.metadata.notes.append("no offline memory plan is embedded in this multi-subgraph model (control flow): "
                                "TF Lite Micro plans the arena of every subgraph itself")
    elif options.get("offline_plan", True):
        plan = planner.plan(g, io_in_arena=True)
        return write_tflite(g, plan.offsets), True
    return write_tflite(g), False


def _board(slug: str) -> dict:
    """A board of tinycc's database (`tinycc targets`, $TINYCC_BOARDS) in bytes."""
    from tinycc.boards import board
    b = board(slug)
    return {"title": b["title"], "sram": int(b["sram_kb"] * 1024), "flash": int(b["flash_kb"] * 1024),
            "arduino": b.get("arduino_fqbn")}


TFLM = project_files.Dep(var="TFLM_DIR", what="a tflite-micro source tree",
                         check="tensorflow/lite/micro/micro_interpreter.h", placeholder="/path/to/tflite-micro",
                         extra_includes=("tensorflow/lite/micro/tools/make/downloads/flatbuffers/include",
                                         "tensorflow/lite/micro/tools/make/downloads/gemmlowp"),
                         library="TFLM_LIBRARY")


def project(g: Graph, name: str, ctx: dict, report: dict, options: dict, sketch: bool) -> project_files.Project:
    """The folder as a CMake library over TF Lite Micro, and (with an Arduino board) a sketch."""
    N = name.upper()
    io = [project_files.Io(x["kind"], x["index"], x["dtype"], x["shape"], x["bytes"],
                           f"{N}_{x['KIND']}{x['index']}_BYTES",
                           f"{N}_{x['KIND']}{x['index']}_SCALE" if x["scale"] is not None else None,
                           f"{N}_{x['KIND']}{x['index']}_ZERO_POINT" if x["scale"] is not None else None)
          for x in ctx["ios"]]
    files = [(f"{name}.h", f"the C interface: `{name}_setup()`, `{name}_invoke()`, buffer sizes, scale and zero point"),
             (f"{name}_main.cc", f"`{name}_setup()` / `{name}_invoke()`: TF Lite Micro with exactly {len(ctx['ops'])} "
                                 "operators registered and a measured arena"),
             (f"{name}_model_data.h/.cc", f"the TFLite flatbuffer as `alignas(16) const unsigned char {name}_model[]` "
                                          f"({ctx['length']:,} bytes)"),
             (f"{name}.tflite", "the same flatbuffer as a file")]
    if sketch:
        files += [(f"{name}/",
                   f"the Arduino sketch for the {ctx['board']['title']}: `{name}.ino` and its own copies of "
                              f"`{name}.h`, `{name}_main.cc`, `{name}_model_data.h/.cc` (open `{name}/{name}.ino`)"),
                  ("library.properties", f"this folder as an Arduino library (include `{name}.h` from your own sketch; "
                                         "not together with the sketch above)")]
    notes = [f"Operators: {', '.join(ctx['ops'])}."]
    if ctx["offline"]:
        notes.append(f"tinycc's own memory plan is embedded as `OfflineMemoryAllocation` metadata: without it TF Lite "
                     f"Micro would need {ctx['measured_online']:,} bytes.")
    cmake = (f"cmake -S . -B ../build-{name} -DTFLM_DIR=/path/to/tflite-micro "
             "-DTFLM_LIBRARY=/path/to/libtensorflow-microlite.a && cmake --build ../build-{name}")
    build = [("CMake: a static library over TF Lite Micro's headers; link TF Lite Micro itself (`TFLM_LIBRARY`, "
              "built with `make -f tensorflow/lite/micro/tools/make/Makefile microlite` in tflite-micro) or add "
              "its sources to your build:", "sh", cmake.format(name=name)),
             (f"Any C++17 compiler: compile `{name}_main.cc` and `{name}_model_data.cc` with "
              "`-I. -I$TFLM_DIR` (plus its flatbuffers and gemmlowp downloads) and link TF Lite Micro.", "sh",
              "c++ -std=c++17 -O2 -I. -I$TFLM_DIR "
              "-I$TFLM_DIR/tensorflow/lite/micro/tools/make/downloads/flatbuffers/include "
              "-I$TFLM_DIR/tensorflow/lite/micro/tools/make/downloads/gemmlowp "
              f"-c {name}_main.cc {name}_model_data.cc")]
    if sketch:
        build.append((f"Arduino: install the TensorFlowLite library, open `{name}/{name}.ino` and upload "
                       f"(`{ctx['board']['arduino']}`):", "sh",
                       f"arduino-cli compile --fqbn {ctx['board']['arduino']} {name}"))
    return project_files.Project(
        name=name, backend="tflm", title="TF Lite Micro firmware stub", model=ctx["model_comment"], files=files,
        sources=[f"{name}_main.cc", f"{name}_model_data.cc"], language="CXX", deps=[TFLM], headers=[f"{name}.h"],
        io=io, num_macros=(f"{N}_NUM_INPUTS", f"{N}_NUM_OUTPUTS"), setup=f"{name}_setup()", report=report,
        board=options.get("board") or options.get("target"), build=build, notes=notes, plain_c=False, esp_idf=False)


class TFLMBackend:
    name = "tflm"
    # TF Lite Micro plans its own arena at run time: patch bands (many small tensors, a copying
    # concatenation) make it larger, not smaller (VWW in 4 bands: 73,728 -> 114,320 B measured)
    patch_bands = False
    runtime_plans_arena = True
    description = "TFLite flatbuffer as a C array + TF Lite Micro firmware stub with a measured arena"
    options = (Option("--verify", "tflm backend: run the written flatbuffer in TF Lite Micro against the reference "
                                  "first (prints a pass line)", argparse={"action": "store_true"}),
               Option("--keep-flatbuffer", "tflm backend: ship a .tflite source model's flatbuffer untouched",
                      argparse={"action": "store_true"}))
    # wider nodes are split into trees first (core/passes/legalise.py): TF Lite Micro's Prepare refuses them
    input_limits = INPUT_LIMITS
    # the report's plan: tinycc's offline plan in the flatbuffer, inputs and outputs in the arena
    io_in_arena = True
    plan_what = ("tinycc's offline plan in the flatbuffer, inputs and outputs in the arena; "
                 "TF Lite Micro adds its own bookkeeping")
    cycles_per_mac = 12.0
    cycles_per_mac_basis = "TF Lite Micro's reference kernels, taken as tinycc's c kernels (6-14 instructions per MAC)"

    def report_extras(self, options: dict) -> dict:
        """--verify passed (compile raises otherwise): what was checked, for the compile report."""
        if not options.get("verify"):
            return {}
        return {"verify": {"passed": True, "samples": VERIFY_SAMPLES, "float_tolerance": FLOAT_TOL,
                           "what": f"TF Lite Micro ran the written flatbuffer on {VERIFY_SAMPLES} random inputs: "
                                   f"integer outputs identical to tinycc's reference, float outputs within "
                                   f"{FLOAT_TOL:g}"}}

    def compile(self, g: Graph, plan, outdir: Path, options: dict) -> dict:
        model, offline = build_flatbuffer(g, options)
        if options.get("verify"):
            verify(g, model)
        measured = measure_arena(model)
        measured_online = measure_arena(write_tflite(g))["total"] if offline else measured["total"]
        return self.write(g, model, offline, measured, measured_online, outdir, options)

    untouched_suffixes = (".tflite",)

    def compile_untouched(self, path: Path, outdir: Path, options: dict, reason: TinyccError) -> dict:
        """A .tflite file tinycc's importer refuses as unsupported (`reason`), which TF Lite Micro
        runs: the flatbuffer untouched, its resolver and TF Lite Micro's own arena measurement;
        no offline plan and no --verify, which need tinycc's graph (notes say so)."""
        data = path.read_bytes()
        g = untouched.io_graph(path, data)
        measured = untouched.measure_isolated(path, list(g.inputs))
        result = self.write(g, data, False, measured, measured["total"], outdir, options)
        where = f"{reason.op} at node {reason.node!r}: " if reason.op and reason.node else ""
        notes = [f"tinycc's importer does not support this model ({_shortened(where + reason.message)}); the "
                 "flatbuffer is shipped untouched for TF Lite Micro to run, with TF Lite Micro's own arena "
                 "measurement and without tinycc's offline memory plan"]
        if options.get("verify"):
            notes.append("--verify skipped: tinycc's reference interpreter cannot run this model")
        return {**result, "untouched": True, "notes": notes}

    def write(self, g: Graph, model: bytes, offline: bool, measured: dict, measured_online: int, outdir: Path,
              options: dict) -> dict:
        """The output folder for the flatbuffer `model` whose inputs and outputs are g's."""
        name = names.model_name(options.get("name"), "model")
        board = options.get("board")
        board_info = _board(board) if board is not None else None
        arena = arena_with_margin(measured["total"])
        entries = resolver_entries(model)
        ops = [name for name, _, _ in entries]
        ctx = {"name": name, "NAME": name.upper(), "Name": name[:1].upper() + name[1:], "version": tinycc.__version__,
               "model_comment": names.comment(Path(g.source).name or g.name, 80), "length": len(model),
               "rows": c_array_rows(model), "arena": arena, "measured": measured["total"],
               "measured_online": measured_online, "offline": offline, "ops": ops, "board": board_info,
               "calls": [c for _, c, _ in entries], "declarations": [d for _, _, d in entries if d],
               "inputs": [_io(g, "input", i, n) for i, n in enumerate(g.inputs)],
               "outputs": [_io(g, "output", i, n) for i, n in enumerate(g.outputs)],
               "input_bytes": sum(g.tensors[n].nbytes for n in g.inputs), "stack": STACK_RESERVE}
        ctx["ios"] = ctx["inputs"] + ctx["outputs"]
        env = jinja2.Environment(loader=jinja2.PackageLoader("tinycc.backends.tflm", "templates"),
                                 keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
        sources = {f"{name}.h": "model.h.j2", f"{name}_model_data.h": "model_data.h.j2",
                   f"{name}_model_data.cc": "model_data.cc.j2", f"{name}_main.cc": "main.cc.j2"}
        files = {fname: env.get_template(t).render(ctx) for fname, t in sources.items()}
        sketch = bool(board_info and board_info["arduino"])
        if sketch:          # the Arduino IDE opens a sketch only in a folder of its name: NAME/NAME.ino
            files.update({f"{name}/{fname}": text for fname, text in files.items()})
            files[f"{name}/{name}.ino"] = env.get_template("sketch.ino.j2").render(ctx)
            files["library.properties"] = env.get_template("library.properties.j2").render(ctx)
        report = {"arena_bytes": arena, "flash_bytes": len(model), "tflm_measured_arena_bytes": measured["total"],
                  "tflm_arena_without_offline_plan": measured_online, "offline_plan": offline, "operators": ops}
        files.update(project_files.render(project(g, name, ctx, report, options, sketch), g))
        written = project_files.write(files, outdir)
        (Path(outdir) / f"{name}.tflite").write_bytes(model)
        return {"files": sorted([*written, f"{name}.tflite"]), **report}      # inputs and outputs live in the arena


@hookimpl
def tinycc_backends():
    return [TFLMBackend()]

"""The `cmsis-nn` backend: the `c` backend's model with Arm CMSIS-NN kernels where CMSIS-NN has
them (ops/<op>.py, one module per operator), the c kernels elsewhere, the same NAME_invoke
interface and one static arena that also holds CMSIS-NN's scratch buffers (placed by tinycc's
planner: the backend declares `scratch_bytes`, and the compile pipeline's one plan has them).
The plan is tinycc's in-place one with CMSIS-NN's own aliasing rules (`in_place`: each twin says
how far below its input its kernel's output may start, read from CMSIS-NN's loops; where a twin
allows no overlap, the c kernel runs that layer in place with its row ring, only where that
lowers the arena).

Its scratch buffers differ between CMSIS-NN's DSP and Helium (MVE) builds: `--cmsis-nn-kernels`
(dsp, mve, any) says which the arena is planned for; without it, a `--target` board's core decides
(Cortex-M55: mve, other Cortex-M cores: dsp), and with neither, `any`: the larger of both, so one
output runs on either (the generated code checks CMSIS-NN's own figure against the planned size at
run time).

CMSIS-NN itself is not shipped: build the output with the user's CMSIS-NN (`--cmsis-nn PATH`
or CMSIS_NN_PATH at build time, e.g. `-I$CMSIS_NN/Include` plus its Source/*/*.c). The output
folder's README says exactly which.
"""
from __future__ import annotations

from pathlib import Path

from tinycc.backends import project_files
from tinycc.backends.c import names
from tinycc.backends.c.plugin import generate as generate_c
from tinycc.backends.cmsis_nn.ops import KERNELS, in_place, scratch_bytes, twins
from tinycc.core import planner
from tinycc.core.backend import Option
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.hookspec import hookimpl

HEADER = "arm_nnfunctions.h"
CMSIS_NN = project_files.Dep(var="CMSIS_NN_PATH", what="Arm CMSIS-NN's source tree (Include/, Source/)",
                             check="Include/arm_nnfunctions.h", include="Include", sources="Source/*/*.c",
                             target="cmsis-nn", placeholder="/path/to/CMSIS-NN")
# Zephyr's own CMSIS-NN module (modules/cmsis-nn/Kconfig): the library and every function group
ZEPHYR_CMSIS_NN = ("CMSIS_NN", "CMSIS_NN_ACTIVATION", "CMSIS_NN_BASICMATH", "CMSIS_NN_CONCATENATION",
                   "CMSIS_NN_CONVOLUTION", "CMSIS_NN_FULLYCONNECTED", "CMSIS_NN_NNSUPPORT", "CMSIS_NN_POOLING",
                   "CMSIS_NN_RESHAPE", "CMSIS_NN_SOFTMAX", "CMSIS_NN_SVD", "CMSIS_NN_LSTM")
PIO_CMSIS_NN = {"name": "CMSIS-NN", "version": "1.0.0", "build": {"srcDir": "Source", "includeDir": "Include"}}


MVE_CORES = ("cortex-m55", "cortex-m85")      # Helium: CMSIS-NN's MVE kernels


def kernels_for(options: dict | None) -> str:
    """The CMSIS-NN kernel family the arena is planned for: --cmsis-nn-kernels, else the
    `--target` board's core (mve on a Helium core, dsp on another Cortex-M), else any."""
    options = options or {}
    chosen = options.get("cmsis_nn_kernels")
    if chosen:
        if chosen not in KERNELS:
            raise TinyccError(f"unknown --cmsis-nn-kernels {chosen!r}", hint=", ".join(KERNELS))
        return chosen
    if options.get("target"):
        from tinycc.boards import load_boards
        core = str(load_boards().get(options["target"], {}).get("core", ""))
        if core in MVE_CORES:
            return "mve"
        if core.startswith("cortex-m"):
            return "dsp"
    return "any"


def generate(g: Graph, plan: planner.MemoryPlan, name: str, kernels: str = "any") -> tuple[dict[str, str], dict]:
    """The C sources of g on `plan`, which must hold the scratch buffers (`scratch_bytes` for the
    `kernels` family)."""
    def kernel(node, g):      # a costly in-place pair runs the c kernel, the one whose rule it took
        pair = plan.inplace.get(node.name)
        return None if pair is not None and pair.costly else twins(node, g)

    scratch = {i: scratch_bytes(node, g, kernels) if kernel(node, g) is not None else 0
               for i, node in enumerate(g.nodes)}
    missing = [g.nodes[i].name for i, size in scratch.items() if size > 0 and i not in plan.scratch]
    if missing:
        raise ValueError(f"the plan has no scratch buffer for {missing[0]!r}: plan with the backend's scratch_bytes")
    files, report = generate_c(g, plan, name, twins=kernel, includes=[HEADER])
    report = {**report, "arena_bytes": plan.arena_bytes,
              "cmsis_nn_ops": sorted({n.op for n in g.nodes if kernel(n, g) is not None}),
              "scratch_bytes": sum(scratch.values()), "cmsis_nn_kernels": kernels}
    return files, report


def project(g: Graph, name: str, report: dict, options: dict) -> project_files.Project:
    import json
    ops = ", ".join(report["cmsis_nn_ops"]) or "none"
    return project_files.model_library(
        g, name, "cmsis-nn", "C model library calling Arm CMSIS-NN", report, options, deps=[CMSIS_NN],
        esp_idf=False, zephyr_selects=ZEPHYR_CMSIS_NN, zephyr_depends="CPU_CORTEX_M",
        notes=[f"CMSIS-NN runs: {ops}; the c kernels the rest. Its scratch buffers ({report['scratch_bytes']:,} B "
               "at most) are planned into the arena above. CMSIS-NN is not shipped: bring Arm's CMSIS-NN "
               "(Apache-2.0; a folder with `Include/` and `Source/`). On a Cortex-M4/M7/M33 its DSP kernels are "
               "used automatically (the compiler defines `__ARM_FEATURE_DSP`), on a Cortex-M55/M85 its Helium "
               "(MVE) kernels (`__ARM_FEATURE_MVE`); the scratch buffers are sized for "
               + {"dsp": "the DSP (and scalar) kernels", "mve": "the MVE kernels",
                  "any": "either (the larger of both)"}[report.get("cmsis_nn_kernels", "any")] + "."],
        pio_notes="CMSIS-NN goes beside it as `lib/CMSIS-NN/` (its `Include/` and `Source/`) with this "
                  "`library.json`:\n\n```json\n" + json.dumps(PIO_CMSIS_NN) + "\n```")


class CmsisNNBackend:
    name = "cmsis-nn"
    description = "C calling Arm CMSIS-NN's s8 kernels (c kernels where CMSIS-NN has none)"
    plan_what = "tinycc's arena plan with CMSIS-NN's scratch buffers and its kernels' in-place overlaps"
    # in place where CMSIS-NN's kernels allow it (in_place: each twin's rule), else the c kernels';
    # concatenations still copy (concat slots: not yet checked with CMSIS-NN's kernels writing them)
    plan_options = {"inplace": True, "schedule": True}
    cycles_per_mac = 3.0
    cycles_per_mac_basis = ("CMSIS-NN's s8 kernels: 2.5-3.2 instructions per MAC measured under QEMU "
                            "on a Cortex-M4/M7/M33")

    options = (Option("--cmsis-nn-kernels", "cmsis-nn backend: the CMSIS-NN build the arena's scratch buffers "
                      "are sized for: dsp (Cortex-M0..M33), mve (Helium: Cortex-M55/M85) or any (both; the "
                      "default unless --target names a board)", argparse={"choices": KERNELS, "default": None}),)

    def scratch_bytes(self, node, g) -> int:
        """The scratch buffer CMSIS-NN's kernel for `node` needs in the arena (either build)."""
        return scratch_bytes(node, g)

    def scratch_bytes_for(self, options: dict | None):
        """scratch_bytes for the compile's options (the kernel family kernels_for picks)."""
        kernels = kernels_for(options)
        return lambda node, g: scratch_bytes(node, g, kernels)

    def in_place(self, node, g):
        """The aliasing CMSIS-NN's kernel for `node` allows (core/inplace.Overlap; ops/<op>.py)."""
        return in_place(node, g)

    def compile(self, g: Graph, plan, outdir: Path, options: dict) -> dict:
        name = names.model_name(options.get("name"), "model")
        files, report = generate(g, plan, name, kernels_for(options))
        files.update(project_files.render(project(g, name, report, options), g))
        return {**report, "files": project_files.write(files, outdir)}


@hookimpl
def tinycc_backends():
    return [CmsisNNBackend()]

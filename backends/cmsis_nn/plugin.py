"""The `cmsis-nn` backend: the `c` backend's model with Arm CMSIS-NN kernels where CMSIS-NN has
them (ops/<op>.py, one module per operator), the c kernels elsewhere, the same NAME_invoke
interface and one static arena that also holds CMSIS-NN's scratch buffers (placed by tinycc's
planner: the backend declares `scratch_bytes`, and the compile pipeline's one plan has them).
The plan is tinycc's in-place one with CMSIS-NN's own aliasing rules (`in_place`: each twin says
how far below its input its kernel's output may start, read from CMSIS-NN's loops; where a twin
allows no overlap, the c kernel runs that layer in place with its row ring, only where that
lowers the arena).

CMSIS-NN itself is not shipped: build the output with the user's CMSIS-NN (`--cmsis-nn PATH`
or CMSIS_NN_PATH at build time, e.g. `-I$CMSIS_NN/Include` plus its Source/*/*.c). The output
folder's README says exactly which.
"""
from __future__ import annotations

from pathlib import Path

from tinycc.backends import project_files
from tinycc.backends.c import names
from tinycc.backends.c.plugin import generate as generate_c
from tinycc.backends.cmsis_nn.ops import in_place, scratch_bytes, twins
from tinycc.core import planner
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


def generate(g: Graph, plan: planner.MemoryPlan, name: str) -> tuple[dict[str, str], dict]:
    """The C sources of g on `plan`, which must hold the scratch buffers (`scratch_bytes`)."""
    def kernel(node, g):      # a costly in-place pair runs the c kernel, the one whose rule it took
        pair = plan.inplace.get(node.name)
        return None if pair is not None and pair.costly else twins(node, g)

    scratch = {i: scratch_bytes(node, g) if kernel(node, g) is not None else 0 for i, node in enumerate(g.nodes)}
    missing = [g.nodes[i].name for i, size in scratch.items() if size > 0 and i not in plan.scratch]
    if missing:
        raise ValueError(f"the plan has no scratch buffer for {missing[0]!r}: plan with the backend's scratch_bytes")
    files, report = generate_c(g, plan, name, twins=kernel, includes=[HEADER])
    report = {**report, "arena_bytes": plan.arena_bytes,
              "cmsis_nn_ops": sorted({n.op for n in g.nodes if kernel(n, g) is not None}),
              "scratch_bytes": sum(scratch.values())}
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
               "used automatically (the compiler defines `__ARM_FEATURE_DSP`)."],
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

    def scratch_bytes(self, node, g) -> int:
        """The scratch buffer CMSIS-NN's kernel for `node` needs in the arena."""
        return scratch_bytes(node, g)

    def in_place(self, node, g):
        """The aliasing CMSIS-NN's kernel for `node` allows (core/inplace.Overlap; ops/<op>.py)."""
        return in_place(node, g)

    def compile(self, g: Graph, plan, outdir: Path, options: dict) -> dict:
        name = names.model_name(options.get("name"), "model")
        files, report = generate(g, plan, name)
        files.update(project_files.render(project(g, name, report, options), g))
        return {**report, "files": project_files.write(files, outdir)}


@hookimpl
def tinycc_backends():
    return [CmsisNNBackend()]

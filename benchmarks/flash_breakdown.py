"""Flash of the c backend's models on a Cortex-M4, split: the model's weights, the other constants the
generated C stores (biases, per-channel requantisation words, packed filters, LUTs), the model's code
per kernel variant, and the rest of the program (the benchmark runner, the C library, start-up).

Linked with gcc -O2 --gc-sections for Cortex-M4 (tinycc/cortexm.py). The model's symbols are those
its own C files define (compiled once more to objects with the same flags and read with readelf);
their sizes are taken from the linked ELF, so only what the linker kept counts. "flash over weights"
is the model's constants plus its code minus its weights (the constant tensors of the model file):
issue 19's target is at most 10 KB. Code is split by the kernel file defining each function (labelled
with the variants of backends/c/ops/{conv_2d,depthwise_conv_2d,fully_connected}.py whose file it is);
what gcc inlined into NAME_invoke counts as NAME.c. Layers per variant count NAME_invoke's calls.

    python benchmarks/flash_breakdown.py [--models DIR] [--optimize speed size] [--cycles] [--json F]
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tinycc import cortexm, cycles  # noqa: E402
from tinycc.driver import compile_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
          "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
          "tflm_examples/person_detect.tflite"]
TARGET_OVER = 10 * 1024          # issue 19: flash <= weights + 10 KB
VARIANT_OPS = ("conv_2d", "depthwise_conv_2d", "fully_connected")
CLONE = re.compile(r"\.(constprop|isra|part|cold|lto_priv)(\.\d+)?")


def weight_bytes(path) -> int:
    """Bytes of the model file's constant tensors (filters, biases, tables): what any runtime stores."""
    g = load_tflite(path)
    used = {i for n in g.nodes for i in n.inputs if i}
    return sum(t.nbytes for name, t in g.tensors.items() if t.data is not None and name in used)


def _readelf(path) -> list[tuple[str, int, str, int]]:
    """(name, size, FUNC|OBJECT, address) of the defined symbols of an ELF file or object."""
    out = subprocess.run(["arm-none-eabi-readelf", "-sW", str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[3] in ("FUNC", "OBJECT") and f[6] != "UND":
            rows.append((f[7], int(f[2], 0), f[3], int(f[1], 16)))
    return rows


def _model_symbols(outdir: Path, work: Path) -> dict[str, str]:
    """{symbol: source file stem} of what the model's own C files define (compiled to objects with
    cortexm's flags for Cortex-M4)."""
    t = cortexm.target("cortex-m4")
    found: dict[str, str] = {}
    for src in sorted(cortexm.model_sources(outdir, "*.c")):
        obj = work / f"{src.stem}.o"
        subprocess.run(["arm-none-eabi-gcc", "-std=c99", "-O2", f"-mcpu={t.cpu}", "-mthumb", *t.flags,
                        "-ffunction-sections", "-fdata-sections", "--specs=picolibc.specs", f"-I{outdir}",
                        "-c", str(src), "-o", str(obj)], check=True, capture_output=True)
        for name, *_ in _readelf(obj):
            found[name] = src.stem
    return found


NAME = re.compile(r"\b(tinycc_\w+)\s*\(")


def definitions(text: str) -> list[str]:
    """The tinycc_* functions a C text defines: a name whose balanced parameter list is followed by `{`."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    found = []
    for m in NAME.finditer(text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if text[i:].lstrip()[:1] == "{":
            found.append(m.group(1))
    return found


def kernel_files() -> dict[str, str]:
    """C function -> the kernel file defining it ("optimised/conv_2d_cols.h"), labelled with the variants
    whose file it is ("optimised/depthwise_conv_2d_fast.h: depthwise_conv_2d/fast")."""
    root = ROOT / "backends" / "c" / "kernels"
    labels: dict[str, list[str]] = {}
    for op in VARIANT_OPS:
        for v in importlib.import_module(f"tinycc.backends.c.ops.{op}").VARIANTS:
            labels.setdefault(v.file, []).append(f"{op}/{v.name}")
    out = {}
    for path in sorted(root.glob("*/*.h")):
        rel = path.relative_to(root).as_posix()
        label = f"{rel}: {', '.join(labels[rel])}" if rel in labels else rel
        for fn in definitions(path.read_text()):
            out.setdefault(fn, label)
    return out


def variant_entries() -> dict[str, str]:
    """C function -> "op/variant" for the MAC-heavy emitters' variant tables (backends/c/ops/)."""
    out = {}
    for op in VARIANT_OPS:
        for v in importlib.import_module(f"tinycc.backends.c.ops.{op}").VARIANTS:
            for fn in (v.kernel, v.inplace):
                if fn:
                    out.setdefault(fn, f"{op}/{v.name}")
    return out


def _category(symbol: str, stem: str, name: str) -> str:
    if not stem.endswith("_weights"):
        return "tables in model.c"
    hint = symbol.removeprefix(f"{name}_")
    return re.sub(r"_\d+$", "", hint)


def breakdown(outdir, weights: int, rep: dict | None = None) -> dict:
    """The flash of a compiled c-backend folder, split (see the module docstring); `rep`: its
    cortexm.build report for a Cortex-M4 when it is built already."""
    outdir = Path(outdir).resolve()
    rep = rep or cortexm.build(outdir, "cortex-m4")
    name = rep["name"]
    with tempfile.TemporaryDirectory() as tmp:
        own = _model_symbols(outdir, Path(tmp))
    sizes: dict[str, int] = {}
    kinds: dict[str, str] = {}
    ram = cortexm.MEMORY.get(cortexm.target("cortex-m4").machine, cortexm.MEMORY[None])[1]
    for sym, size, kind, address in _readelf(rep["elf"]):
        if sym in own and address < ram:          # flash only (the arena is RAM)
            sizes[sym], kinds[sym] = size, kind
    consts = {s: n for s, n in sizes.items() if kinds[s] == "OBJECT"}
    code = {s: n for s, n in sizes.items() if kinds[s] == "FUNC"}
    by_category: dict[str, int] = {}
    for s, n in consts.items():
        cat = _category(s, own[s], name)
        by_category[cat] = by_category.get(cat, 0) + n
    body = (outdir / f"{name}.c").read_text().split(f"int {name}_invoke(")[-1]
    variants: dict[str, int] = {}
    for fn, label in variant_entries().items():
        calls = len(re.findall(rf"\b{fn}\(", body))
        if calls:
            variants[label] = variants.get(label, 0) + calls
    files = kernel_files()
    by_file: dict[str, int] = {}
    for s, n in code.items():
        f = files.get(CLONE.sub("", s), f"{name}.c" if s.startswith(name) else "other (macro-made kernels)")
        by_file[f] = by_file.get(f, 0) + n
    total_consts, total_code = sum(consts.values()), sum(code.values())
    return {"flash_bytes": rep["flash_bytes"], "weights": weights, "constants": total_consts,
            "other_constants": total_consts - weights, "code": total_code,
            "invoke_code": sum(n for s, n in code.items() if s == f"{name}_invoke"),
            "runtime": rep["flash_bytes"] - total_consts - total_code,
            "over_weights": total_consts + total_code - weights, "categories": dict(sorted(by_category.items())),
            "variants": dict(sorted(variants.items())),
            "code_by_file": dict(sorted(by_file.items(), key=lambda kv: -kv[1])),
            "elf": rep["elf"]}


def est_cycles(path, outdir, elf) -> int:
    """Estimated Cortex-M4 cycles of one inference on a seeded random input (tinycc/cycles.py)."""
    from tests.ops.check import random_inputs
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(0))]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    trace: list = []
    cortexm.run(elf, "qemu-cortex-m4", samples, layout, count=True, trace=trace)
    return cycles.estimate(elf, trace, len(samples)).cycles


def measure(path, optimize: str, with_cycles: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        compile_model(path, "c", out, name="model", options={"optimize": optimize})
        row = breakdown(out, weight_bytes(path))
        if with_cycles:
            row["est_cycles"] = est_cycles(path, out, row["elf"])
    row.pop("elf")
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--optimize", nargs="+", default=["speed", "size"], choices=["speed", "size"])
    ap.add_argument("--cycles", action="store_true", help="also run each under QEMU for its est. cycles")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args(argv)
    results = {}
    table = Table(title=f"c backend flash on Cortex-M4 (gcc -O2, --gc-sections): target weights + "
                        f"{TARGET_OVER // 1024} KB")
    for col in ("model", "optimize", "weights", "other constants", "code", "flash over weights", "target",
                "runner + libc", "linked flash", *(["est. cycles"] if args.cycles else [])):
        table.add_column(col, justify="left" if col in ("model", "optimize", "target") else "right")
    detail = Table(title="per model: constants by array kind, layers per kernel variant, code per kernel file")
    for col in ("model", "optimize", "constants by kind (bytes)", "layers per kernel variant",
                "code bytes per kernel file (its variants)"):
        detail.add_column(col)
    for rel in MODELS:
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(rel, "absent")
            continue
        for opt in args.optimize:
            r = measure(path, opt, args.cycles)
            results[f"{path.stem}/{opt}"] = r
            met = "met" if r["over_weights"] <= TARGET_OVER else "not met"
            table.add_row(path.stem, opt, f"{r['weights']:,}", f"{r['other_constants']:,}", f"{r['code']:,}",
                          f"{r['over_weights']:,}", met, f"{r['runtime']:,}", f"{r['flash_bytes']:,}",
                          *([f"{r['est_cycles']:,}"] if args.cycles else []))
            detail.add_row(path.stem, opt, ", ".join(f"{k} {v:,}" for k, v in r["categories"].items()),
                           ", ".join(f"{k} {v}" for k, v in r["variants"].items()),
                           ", ".join(f"{k} {v:,}" for k, v in r["code_by_file"].items()))
    console = Console(width=max(Console().width, 200))
    console.print(table)
    console.print(detail)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Embedded targets: cross-compile a backend's output folder with a minimal runner, run it under
QEMU (semihosting for file I/O), and report flash, static RAM and worst-case stack.

The cores (Cortex-M0+/M3/M4/M7/M33, RISC-V RV32IMC/RV32IMAFC) are data: tinycc/targets.json gives
each its cross compiler and flags, picolibc link flags, memory map, QEMU binary and machine
(tinycc/targets.py). Toolchains: Debian's gcc-arm-none-eabi / gcc-riscv64-unknown-elf with
picolibc; emulators: qemu-system-arm (mps2 boards), qemu-system-riscv32 (virt).

The runner reads all samples from `tinycc_in.bin` (every input of a sample back to back) and
writes `tinycc_out.bin` the same way; its exit status is 0 or the failing step (3 files, 4 short
input, 5 invoke). A fault and a hang are told apart from a clean exit: a hang is a timeout, a
fault a non-zero status.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tinycc.core import progress
from tinycc.core import samples as io
from tinycc.core.errors import TinyccError
from tinycc.targets import Target, load_targets

PACKAGES = "gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm"
FPU_M4 = ["-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]


TARGETS = load_targets()            # core -> Target (tinycc/targets.json)
# flash and RAM bases by QEMU machine (the default: the mps2 boards' 0x0 and 0x20000000)
MEMORY = {None: (0x00000000, 0x20000000)} | {t.machine: (t.flash[0], t.ram[0]) for t in TARGETS.values() if t.machine}
RUN_TIMEOUT = 600


def core_of(name: str) -> str:
    """The Cortex-M core a `--target` names: a core (`cortex-m4`, also spelled `qemu-cortex-m4`)
    or a board slug of `tinycc targets` (its core)."""
    key = str(name).removeprefix("qemu-")
    if key in TARGETS:
        return key
    from tinycc.boards import load_boards
    boards = load_boards()
    if key in boards:
        core = boards[key]["core"]
        if core not in TARGETS:
            raise TinyccError(f"board {key!r} has a {core} core; tinycc builds and runs only the cores of its "
                              "target database (tinycc/targets.json)",
                              hint="cores: " + ", ".join(TARGETS) + "; boards with one: " +
                                   ", ".join(s for s, b in sorted(boards.items()) if b["core"] in TARGETS))
        return core
    raise TinyccError(f"unknown target {name!r}",
                      hint="a core (" + ", ".join(TARGETS) + ") or a board (" + ", ".join(sorted(boards)) +
                           "); `tinycc targets` lists both")


def target(name: str) -> Target:
    return TARGETS[core_of(name)]


def _tool(name: str, packages: str = PACKAGES) -> str:
    path = shutil.which(name)
    if path is None:
        raise TinyccError(f"{name} is not installed", hint=f"apt-get install {packages}")
    return path


def tool(t: Target, name: str) -> str:
    """The core's toolchain program `name` (gcc, size, nm, ar, objdump) or its QEMU, found on PATH."""
    return _tool(t.qemu if name == "qemu" else t.tool(name), " ".join(t.packages))


def model_name(outdir: Path) -> str:
    for header in sorted(Path(outdir).glob("*.h")):
        m = re.search(r"int (\w+)_invoke\(const void \*const inputs\[\], void \*const outputs\[\]\)",
                      header.read_text())
        if m:
            return m.group(1)
    raise TinyccError("no tinycc model interface (NAME.h with NAME_invoke) in the folder", file=str(outdir),
                      hint="compile with --backend c, cmsis-nn or microtvm first")


IO_LINE = re.compile(r'/\* (input|output) (\d+): ".*?" (\w+) \[([\d, ]*)\], (\d+) bytes \*/')


def io_layout(outdir, name: str) -> dict[str, list[tuple[tuple, str]]]:
    """{'input': [(shape, dtype), ...], 'output': [...]} from the comments of NAME.h."""
    layout: dict[str, list] = {"input": [], "output": []}
    for kind, _index, dtype, shape, _ in IO_LINE.findall((Path(outdir) / f"{name}.h").read_text()):
        layout[kind].append((tuple(int(d) for d in shape.split(",") if d.strip()), dtype))
    return layout


LAYER_LINE = re.compile(r'^\s*/\* (\d+): (\w+) "(.*)" \*/\n\s*TINYCC_LAYER_MARK\(\);', re.M)


def layers(outdir, name: str) -> list[tuple[str, str]]:
    """[(op, node name), ...] of the layers NAME.c marks for per-layer profiling, in run order
    (empty for a model whose code has no marks, such as microtvm's float path)."""
    return [(op, node) for _, op, node in LAYER_LINE.findall((Path(outdir) / f"{name}.c").read_text())]


def runner_source(name: str, weights_blob: bool = False) -> str:
    """The runner's C; with `weights_blob` it first hands {name}.weights, linked into the image by
    weights_source, to {name}_set_weights (exit status 7 when the code refuses it)."""
    N = name.upper()
    blob_decl = ("extern const unsigned char tinycc_weights_blob[];\nextern const size_t tinycc_weights_blob_bytes;\n"
                 if weights_blob else "")
    blob_set = (f"    if ({name}_set_weights(tinycc_weights_blob, tinycc_weights_blob_bytes) != 0) return 7;\n"
                if weights_blob else "")
    return f"""/* tinycc runner: all samples from tinycc_in.bin through {name}_invoke() to tinycc_out.bin. */
#include <stdio.h>
#include "{name}.h"
{blob_decl}
static unsigned char io_buffer[TINYCC_IO_BYTES] __attribute__((aligned(16)));

/* the instruction counter (a QEMU plugin) counts between these two calls */
__attribute__((noinline)) void tinycc_marker_begin(void) {{ __asm__ volatile(""); }}
__attribute__((noinline)) void tinycc_marker_end(void) {{ __asm__ volatile("nop"); }}
/* called before each layer by a -DTINYCC_PROFILE_LAYERS build (tinycc bench --per-layer) */
__attribute__((noinline)) void tinycc_marker_layer(void) {{ __asm__ volatile("nop; nop"); }}

int main(void) {{
    const void *inputs[{N}_NUM_INPUTS];
    void *outputs[{N}_NUM_OUTPUTS];
    size_t at = 0;
    int i;
    FILE *fin = fopen("tinycc_in.bin", "rb"), *fout = fopen("tinycc_out.bin", "wb");
    if (!fin || !fout) return 3;
{blob_set}    for (i = 0; i < {N}_NUM_INPUTS; ++i) {{ inputs[i] = io_buffer + at; at += ({name}_input_bytes[i] + 15) / 16 * 16; }}
    for (i = 0; i < {N}_NUM_OUTPUTS; ++i) {{ outputs[i] = io_buffer + at; at += ({name}_output_bytes[i] + 15) / 16 * 16; }}
    for (;;) {{
        for (i = 0; i < {N}_NUM_INPUTS; ++i) {{
            size_t got = fread((void *)inputs[i], 1, {name}_input_bytes[i], fin);
            if (got == 0 && i == 0) goto done;
            if (got != {name}_input_bytes[i]) return 4;
        }}
        tinycc_marker_begin();
        if ({name}_invoke(inputs, outputs) != 0) return 5;
        tinycc_marker_end();
        for (i = 0; i < {N}_NUM_OUTPUTS; ++i)
            if (fwrite(outputs[i], 1, {name}_output_bytes[i], fout) != {name}_output_bytes[i]) return 6;
    }}
done:
    fclose(fin);
    fclose(fout);
    return 0;
}}
"""  # noqa: E501 - the generated C keeps its one-line loops


def weights_blob(outdir: Path, name: str) -> Path | None:
    """The folder's weights blob (`--weights-blob`: NAME.weights, read through NAME_set_weights), if any."""
    blob = Path(outdir) / f"{name}.weights"
    header = Path(outdir) / f"{name}.h"
    if blob.is_file() and header.is_file() and f"int {name}_set_weights(" in header.read_text():
        return blob
    return None


def weights_source(data: bytes) -> str:
    """The weights blob as a constant array in flash, 16-byte aligned as NAME_set_weights requires."""
    rows = ",\n".join(",".join(f"0x{b:02x}" for b in data[i:i + 24]) for i in range(0, len(data), 24))
    return f"""/* tinycc runner: the weights blob (--weights-blob), {len(data)} bytes, for NAME_set_weights(). */
#include <stddef.h>

extern const unsigned char tinycc_weights_blob[];
extern const size_t tinycc_weights_blob_bytes;
const unsigned char tinycc_weights_blob[{max(len(data), 1)}] __attribute__((aligned(16))) = {{
{rows or "0"}
}};
const size_t tinycc_weights_blob_bytes = {len(data)};
"""


def _io_bytes(outdir: Path, name: str) -> int:
    """Room for every input and output of one sample, each 16-byte aligned (from NAME.h's I/O lines)."""
    text = (Path(outdir) / f"{name}.h").read_text()
    return sum((int(size) + 15) // 16 * 16 for *_, size in IO_LINE.findall(text)) or 16


def cmsis_sources(outdir: Path, cmsis_nn=None, cmsis_core=None, notes: list | None = None
                  ) -> tuple[list[str], list[str]]:
    """CMSIS-NN sources and include folders when the generated code calls CMSIS-NN: from
    `cmsis_nn`, $CMSIS_NN_PATH, or tinycc's cache (fetched once; tinycc/cmsis_nn_fetch.py)."""
    import os

    from tinycc import cmsis_nn_fetch
    if not any("arm_nnfunctions.h" in p.read_text(errors="replace") for p in outdir.glob("*.c")):
        return [], []
    root = cmsis_nn_fetch.resolve(cmsis_nn, notes)
    core = cmsis_core or os.environ.get("CMSIS_CORE_PATH")
    includes = [str(Path(root) / "Include")] + ([str(core)] if core else [])
    return sorted(str(p) for p in (Path(root) / "Source").glob("*/*.c")), includes


MAIN = re.compile(r"^\s*(?:int|void)\s+main\s*\(", re.M)


def model_sources(outdir: Path, pattern: str) -> list[Path]:
    """The folder's own C files: never a tinycc build folder's (`build-<core>/`, holding another
    core's runner), and never a program of the folder's project files that has a main() of its
    own (an example, an STM32 main.c): the runner is the program."""
    found = []
    for p in Path(outdir).rglob(pattern):
        rel = p.relative_to(outdir).parts
        if any(part.startswith("build-") and part.removeprefix("build-") in TARGETS for part in rel[:-1]):
            continue
        if p.suffix == ".c" and MAIN.search(p.read_text(errors="replace")):
            continue
        found.append(p)
    return found


_VENDOR_BUILT: dict[tuple, Path] = {}     # CMSIS-NN archives built by this process: (core, sources) -> folder


def build(outdir, target_name: str, extra_flags=(), cmsis_nn=None, cmsis_core=None) -> dict:
    """Cross-compile the folder's C with the runner (and its weights blob, NAME.weights of --weights-blob,
    linked in as a constant array and handed to NAME_set_weights before the first invoke); returns the
    ELF path and the size report (flash includes the blob)."""
    t = target(target_name)
    gcc, size = tool(t, "gcc"), tool(t, "size")
    outdir = Path(outdir).resolve()      # the compiler runs in the build folder
    name = model_name(outdir)
    notes: list[str] = []
    if t.arch != "arm" and any("arm_nnfunctions.h" in p.read_text(errors="replace") for p in outdir.glob("*.c")):
        raise TinyccError(f"the code calls CMSIS-NN, Arm's library: it does not build for {t.cpu}", file=str(outdir),
                          hint="compile with --backend c for this core")
    vendor_sources, vendor_includes = cmsis_sources(outdir, cmsis_nn, cmsis_core, notes)
    work = outdir / f"build-{t.cpu}"
    work.mkdir(exist_ok=True)
    blob = weights_blob(outdir, name)
    (work / "tinycc_runner.c").write_text(runner_source(name, blob is not None))
    sources = sorted(str(p) for p in model_sources(outdir, "*.c"))
    if blob is not None:          # the blob linked into the image, handed to NAME_set_weights before invoke
        (work / "tinycc_weights_blob.c").write_text(weights_source(blob.read_bytes()))
        sources.append(str(work / "tinycc_weights_blob.c"))
    includes = sorted({str(p.parent) for p in model_sources(outdir, "*.h")})
    key = (t.cpu, t.flags, tuple(vendor_sources), tuple(vendor_includes),
           tuple(Path(s).stat().st_mtime_ns for s in vendor_sources))
    built = _VENDOR_BUILT.get(key)
    if vendor_sources and built is not None and (built / "libvendor.a").exists() and built != work:
        for f in [built / "libvendor.a", *(built / (Path(src).stem + ".ci") for src in vendor_sources)]:
            if f.exists():            # built once per process and core; its call graphs for the stack bound
                shutil.copy(f, work / f.name)
        extra_flags = (*extra_flags, str(work / "libvendor.a"))
        includes = includes + vendor_includes
    elif vendor_sources:              # the vendor library is compiled without -Werror, into its own archive
        lib = work / "libvendor.a"
        objs = []
        for src in progress.track(vendor_sources, f"building CMSIS-NN for {t.cpu}", len(vendor_sources)):
            obj = work / (Path(src).stem + ".o")
            proc = subprocess.run([gcc, "-std=c99", "-O2", *t.flags, "-ffunction-sections",
                                   "-fdata-sections", "-fcallgraph-info=su", "-c",
                                   *[f"-I{i}" for i in vendor_includes], src, "-o", str(obj)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise TinyccError(f"CMSIS-NN does not build for {t.cpu}: {Path(src).name}", hint=proc.stderr[-800:])
            objs.append(str(obj))
        subprocess.run([tool(t, "ar"), "rcs", str(lib), *objs], check=True, capture_output=True)
        _VENDOR_BUILT[key] = work
        extra_flags = (*extra_flags, str(lib))
        includes = includes + vendor_includes
    cmd = [gcc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", *t.flags,
           "-ffunction-sections", "-fdata-sections", "-fstack-usage", "-fcallgraph-info=su",
           f"-DTINYCC_IO_BYTES={_io_bytes(outdir, name)}",
           *t.libc, "-T", t.linker_script,
           f"-Wl,--defsym=__flash={t.flash[0]:#x}", f"-Wl,--defsym=__flash_size={t.flash[1]:#x}",
           f"-Wl,--defsym=__ram={t.ram[0]:#x}", f"-Wl,--defsym=__ram_size={t.ram[1]:#x}", "-Wl,--gc-sections",
           *[f"-I{i}" for i in includes], *sources, str(work / "tinycc_runner.c"), "-o", str(work / "prog.elf"), "-lm",
           *extra_flags]
    with progress.phase(f"cross-compiling for {t.cpu}"):
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    if proc.returncode != 0:
        raise TinyccError(f"cross-compilation for {t.cpu} failed", file=str(outdir), hint=proc.stderr[-1500:])
    sz = subprocess.run([size, "-A", str(work / "prog.elf")], capture_output=True, text=True).stdout
    sections = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\.\S+)\s+(\d+)\s+\d+", sz, re.M)}
    text = sum(v for k, v in sections.items() if k.startswith((".text", ".rodata", ".init", ".fini", ".vector")))
    data = sections.get(".data", 0) + sections.get(".tdata", 0)
    bss = sections.get(".bss", 0) + sections.get(".tbss", 0) + sections.get(".noinit", 0)
    stack = 0
    for su in work.rglob("*.su"):
        for line in su.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1].strip().isdigit():
                stack = max(stack, int(parts[1]))
    return {"elf": str(work / "prog.elf"), "target": t.cpu, "notes": notes, "flash_bytes": text + data,
            "static_ram_bytes": data + bss,
            "max_frame_stack_bytes": stack, "worst_case_stack_bytes": worst_case_stack(work), "name": name}


_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "[^"]*?\\n(\d+) bytes \((static|dynamic[^)]*)\)')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


def worst_case_stack(work: Path, root: str = "main") -> int:
    """The deepest call chain from `root` summed over GCC's -fcallgraph-info=su frames (the C
    library's own frames, compiled elsewhere, are not included)."""
    frames: dict[str, int] = {}
    calls: dict[str, set] = {}
    for ci in work.rglob("*.ci"):
        text = ci.read_text(errors="replace")
        for title, size, _ in _NODE.findall(text):
            frames[title] = max(frames.get(title, 0), int(size))
        for src, dst in _EDGE.findall(text):
            calls.setdefault(src, set()).add(dst)
    memo: dict[str, int] = {}

    def depth(fn: str, active: frozenset) -> int:
        if fn in memo:
            return memo[fn]
        if fn in active:            # recursion: count the cycle once
            return 0
        below = max((depth(c, active | {fn}) for c in calls.get(fn, ())), default=0)
        memo[fn] = frames.get(fn, 0) + below
        return memo[fn]

    return depth(root, frozenset())


PLUGIN_SOURCE = Path(__file__).with_name("qemu_plugin") / "insn_count.c"


def plugin_path(plugin: str = "insn_count") -> Path:
    """tinycc's QEMU plugin (tinycc/qemu_plugin/<plugin>.c; the instruction counter is target
    independent: one build serves qemu-system-arm and qemu-system-riscv32), built with the host
    compiler on first use."""
    import hashlib
    import os
    source_path = PLUGIN_SOURCE.with_name(f"{plugin}.c")
    source = source_path.read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tinycc"
    lib = cache / f"{plugin}-{hashlib.sha256(source).hexdigest()[:12]}.so"
    if not lib.exists():
        cache.mkdir(parents=True, exist_ok=True)
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            raise TinyccError("a host C compiler is needed to build the QEMU plugin", hint="apt-get install gcc")
        tmp = lib.with_suffix(".tmp.so")
        proc = subprocess.run([cc, "-shared", "-fPIC", "-O2", str(source_path), "-o", str(tmp)], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise TinyccError("building the QEMU instruction-count plugin failed", hint=proc.stderr[-500:])
        os.replace(tmp, lib)
    return lib


def marker_addresses(elf, target_name: str = "cortex-m4") -> dict[str, int]:
    """Addresses of the runner's markers: begin, end and (when linked in) layer."""
    nm = subprocess.run([tool(target(target_name), "nm"), str(elf)], capture_output=True, text=True).stdout
    found = {m.group(2): int(m.group(1), 16) for m in re.finditer(r"^([0-9a-f]+) [Tt] tinycc_marker_(\w+)$", nm, re.M)}
    if not {"begin", "end"} <= set(found):
        raise TinyccError("the program has no tinycc markers", file=str(elf), hint="rebuild it with tinycc build")
    return found


def run(elf, target_name: str, samples: list[list[np.ndarray]], out_layout: list[tuple[tuple, str]],
        timeout: float = RUN_TIMEOUT, count: bool = False, per_layer: bool = False, blocks: list | None = None,
        trace: list | None = None):
    """Run the ELF under QEMU on samples; outputs split by `out_layout` [(shape, dtype), ...].
    With `count`, returns (outputs, instructions per inference) measured by tinycc's plugin; with
    `per_layer` too (an ELF built with -DTINYCC_PROFILE_LAYERS), (outputs, instructions, parts):
    parts[0] the instructions before the first layer, parts[i] those of layer i - 1 (its marker
    call included), each per inference. A `blocks` list (with `count`) receives every block of
    guest code run while counting: (address, instructions, executions over all samples). A `trace`
    list (with `count`) receives the cycle model's trace (tinycc/cycles.py): (part, address,
    instructions, runs, taken exits, branch-cache misses) per block and part (part 0 only without
    `per_layer`), summed over samples."""
    t = target(target_name)
    if t.machine is None:
        raise TinyccError(f"QEMU has no board for {t.cpu}",
                          hint="run on " + ", ".join(c for c, u in TARGETS.items() if u.machine))
    qemu = tool(t, "qemu")
    with tempfile.TemporaryDirectory(prefix="tinycc-qemu-") as tmp:
        in_layout = [(np.shape(x), str(np.asarray(x).dtype)) for x in samples[0]] if samples else []
        Path(tmp, "tinycc_in.bin").write_bytes(io.pack(samples, in_layout))
        cmd = [qemu, "-M", t.machine, *t.qemu_args, "-nographic", "-monitor", "none", "-serial", "none",
               "-semihosting-config", t.semihosting, "-kernel", str(Path(elf).resolve())]
        if count:
            marks = marker_addresses(elf, target_name)
            layer = f",layer={marks['layer']:#x}" if per_layer and "layer" in marks else ""
            listing = ",blocks=1" if blocks is not None else ""
            if trace is not None:
                listing += f",cycles=1,flash_end={t.ram[0]:#x}"
            plugin = f"{plugin_path(t.plugin)},begin={marks['begin']:#x},end={marks['end']:#x}"
            cmd += ["-plugin", f"{plugin}{layer}{listing}"]
        try:
            with progress.phase(f"running {len(samples)} sample(s) under QEMU ({t.machine})"):
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TinyccError(f"the program hung under QEMU ({t.machine}): no exit after {timeout:g} s",
                              file=str(elf)) from None
        if proc.returncode != 0:
            what = {3: "could not open its files", 4: "got a short input", 5: "model invoke failed",
                    6: "could not write its output",
                    7: "NAME_set_weights refused the weights blob"}.get(proc.returncode, "faulted or aborted")
            raise TinyccError(f"the program exited with status {proc.returncode} under QEMU ({what})", file=str(elf),
                              hint=(proc.stderr or proc.stdout)[-500:] or None)
        raw = Path(tmp, "tinycc_out.bin").read_bytes()
    results = io.unpack(raw, out_layout, len(samples))
    if count:
        m = re.search(r"tinycc-insns (\d+) (\d+)", proc.stderr)
        if not m or int(m.group(2)) != len(samples):
            raise TinyccError("the QEMU plugin reported no instruction count", hint=proc.stderr[-300:])
        n = int(m.group(2))
        if blocks is not None:
            blocks.extend((int(a, 16), int(k), int(r))
                          for a, k, r in re.findall(r"^tinycc-block (0x[0-9a-f]+|0) (\d+) (\d+)$", proc.stderr, re.M))
        if trace is not None:
            summed: dict[tuple, list[int]] = {}
            for part, a, k, r, taken, miss in re.findall(
                    r"^tinycc-cyc (\d+) (0x[0-9a-f]+|0) (\d+) (\d+) (\d+) (\d+)$", proc.stderr, re.M):
                key = (int(part) if per_layer else 0, int(a, 16), int(k))
                acc = summed.setdefault(key, [0, 0, 0])
                for j, v in enumerate((r, taken, miss)):
                    acc[j] += int(v)
            trace.extend((*key, *acc) for key, acc in summed.items())
        if per_layer:
            parts = [int(v) // n for _, v in re.findall(r"^tinycc-layer (\d+) (\d+)$", proc.stderr, re.M)]
            return results, int(m.group(1)) // n, parts
        return results, int(m.group(1)) // n
    return results

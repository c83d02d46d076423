"""Many generated models in ONE Cortex-M4 firmware, run under QEMU in one launch (test support).

`build(models, workdir)` writes the `c` backend's C of every graph with its own symbol prefix,
cross-compiles all of it with -std=c99 -Wall -Wextra -Werror -pedantic in a few batched compiler
invocations (one per core), and links every model that compiled with one harness into one image.
`run(firmware, inputs)` runs the models on their inputs under QEMU (tinycc/cortexm.py's semihosting
protocol: tinycc_in.bin in, tinycc_out.bin out): the harness reads a run mask (one byte a model),
then each chosen model's inputs, invokes it and writes its status (int32) and outputs. A model that
faults or hangs stops the image; `run` names it (the harness prints each index before invoking)
and runs the image again past it, so one bad kernel costs one pair, not the whole set.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.c_build import write_sources
from tinycc import cortexm
from tinycc.core import samples as io
from tinycc.core.errors import TinyccError

TARGET = "cortex-m4"
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-ffunction-sections", "-fdata-sections"]
RUN_TIMEOUT = 60


@dataclass
class Firmware:
    elf: Path | None
    linked: list[str]                                   # model names in the image, in harness order
    layouts: dict[str, tuple[list, list]]               # name -> (input layout, output layout)
    errors: dict[str, str] = field(default_factory=dict)  # name -> why it is not in the image


def _arch_flags() -> list[str]:
    t = cortexm.target(TARGET)
    return [f"-mcpu={t.cpu}", "-mthumb", *t.flags]


def harness_source(names: list[str], layouts: dict) -> str:
    """main(): for every model whose mask byte is set, inputs in, invoke, status and outputs out."""
    def room(name):
        return sum((int(np.prod(s, dtype=np.int64)) * io.np_dtype(d).itemsize + 15) // 16 * 16
                   for s, d in layouts[name][0] + layouts[name][1])
    io_bytes = max([room(n) for n in names] + [16])
    max_in = max([len(layouts[n][0]) for n in names] + [1])
    max_out = max([len(layouts[n][1]) for n in names] + [1])
    includes = "".join(f'#include "{n}.h"\n' for n in names)
    rows = ",\n".join(f"    {{{n}_invoke, {n.upper()}_NUM_INPUTS, {n.upper()}_NUM_OUTPUTS, {n}_input_bytes, "
                      f"{n}_output_bytes}}" for n in names)
    return f"""/* tinycc multi-model runner: a run mask, then every chosen model's inputs from tinycc_in.bin;
 * its status (int32) and outputs to tinycc_out.bin. Prints each model's index before invoking it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
{includes}
typedef int (*invoke_fn)(const void *const inputs[], void *const outputs[]);
typedef struct {{ invoke_fn invoke; int n_in, n_out; const size_t *in_bytes, *out_bytes; }} model_entry;
static const model_entry models[] = {{
{rows}
}};
#define N_MODELS ((int)(sizeof models / sizeof models[0]))
static unsigned char io_buffer[{io_bytes}] __attribute__((aligned(16)));

int main(void) {{
    static unsigned char mask[N_MODELS];
    const void *inputs[{max_in}];
    void *outputs[{max_out}];
    FILE *fin = fopen("tinycc_in.bin", "rb"), *fout = fopen("tinycc_out.bin", "wb");
    int k, i;
    if (!fin || !fout) return 3;
    if (fread(mask, 1, N_MODELS, fin) != (size_t)N_MODELS) return 4;
    for (k = 0; k < N_MODELS; ++k) {{
        const model_entry *m = &models[k];
        size_t at = 0;
        int32_t status;
        if (!mask[k]) continue;
        for (i = 0; i < m->n_in; ++i) {{
            inputs[i] = io_buffer + at;
            at += (m->in_bytes[i] + 15) / 16 * 16;
            if (fread((void *)inputs[i], 1, m->in_bytes[i], fin) != m->in_bytes[i]) return 4;
        }}
        for (i = 0; i < m->n_out; ++i) {{
            outputs[i] = io_buffer + at;
            at += (m->out_bytes[i] + 15) / 16 * 16;
            memset(outputs[i], 0x5a, m->out_bytes[i]);      /* an output the model never writes shows */
        }}
        printf("tinycc-model %d\\n", k);
        fflush(stdout);
        status = m->invoke(inputs, outputs);
        if (fwrite(&status, sizeof status, 1, fout) != 1) return 6;
        for (i = 0; i < m->n_out; ++i)
            if (fwrite(outputs[i], 1, m->out_bytes[i], fout) != m->out_bytes[i]) return 6;
    }}
    fclose(fin);
    fclose(fout);
    return 0;
}}
"""


def _compile(gcc: str, sources: list[Path], includes: Path, objdir: Path) -> str:
    """One compiler invocation for a batch of files (gcc goes on past a failing file); its stderr."""
    proc = subprocess.run([gcc, *CFLAGS, *_arch_flags(), "-c", f"-I{includes}", *map(str, sources)],
                          capture_output=True, text=True, cwd=objdir)
    return proc.stderr


def build(models: dict[str, object], workdir: Path, jobs: int | None = None) -> Firmware:
    """Generate, cross-compile and link {name: graph}: every name a distinct C prefix."""
    gcc = cortexm._tool("arm-none-eabi-gcc")
    src, obj = workdir / "src", workdir / "obj"
    src.mkdir(parents=True, exist_ok=True)
    obj.mkdir(exist_ok=True)
    layouts, errors = {}, {}
    for name, g in models.items():
        try:
            write_sources(g, src, name)
        except TinyccError as e:
            errors[name] = f"the c backend refused it: {e.render()}"
            continue
        layouts[name] = (io.layout(g, g.inputs), io.layout(g, g.outputs))
    files = sorted(p for n in layouts for p in (src / f"{n}.c", src / f"{n}_weights.c"))
    jobs = jobs or max(1, min(2, os.cpu_count() or 1))
    batches = [files[i::jobs] for i in range(jobs)]
    with ThreadPoolExecutor(jobs) as pool:
        stderr = "".join(pool.map(lambda b: _compile(gcc, b, src, obj), batches))
    for name in layouts:
        for f in (f"{name}.c", f"{name}_weights.c"):
            if not (obj / f.replace(".c", ".o")).exists():
                lines = [ln for ln in stderr.splitlines() if ln.startswith(f"{src / f}:")][:20]
                errors[name] = f"{f} does not cross-compile for {TARGET}:\n" + "\n".join(lines)
    linked = [n for n in layouts if n not in errors]
    if not linked:
        raise AssertionError("no model cross-compiled:\n" + "\n\n".join(f"{n}: {e}" for n, e in errors.items()))
    (workdir / "runner.c").write_text(harness_source(linked, layouts))
    flash, ram = cortexm.MEMORY.get(cortexm.target(TARGET).machine, cortexm.MEMORY[None])
    elf = workdir / "firmware.elf"
    cmd = [gcc, *CFLAGS, *_arch_flags(), f"-I{src}",
           "--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost", "-T", "picolibc.ld",
           f"-Wl,--defsym=__flash={flash:#x}", "-Wl,--defsym=__flash_size=0x400000",
           f"-Wl,--defsym=__ram={ram:#x}", "-Wl,--defsym=__ram_size=0x400000", "-Wl,--gc-sections",
           str(workdir / "runner.c"), *(str(obj / f"{n}{s}.o") for n in linked for s in ("", "_weights")),
           "-o", str(elf), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if proc.returncode != 0:
        raise AssertionError(f"linking the firmware of {len(linked)} models failed:\n{proc.stderr[-3000:]}")
    return Firmware(elf, linked, layouts, errors)


def _launch(elf: Path, data: bytes, timeout: float) -> tuple[bytes | None, str]:
    """One QEMU run of the image on tinycc_in.bin = `data`: (tinycc_out.bin or None on a fault or a
    hang, what the harness and QEMU printed). tinycc/cortexm.py's board and semihosting settings,
    launched here so a hang still leaves the harness's last "tinycc-model K" line to read."""
    t = cortexm.target(TARGET)
    cmd = [cortexm._tool("qemu-system-arm"), "-M", t.machine, "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", str(Path(elf).resolve())]
    with tempfile.TemporaryDirectory(prefix="tinycc-m4fw-") as tmp:
        Path(tmp, "tinycc_in.bin").write_bytes(data)
        try:
            proc = subprocess.run(cmd, capture_output=True, cwd=tmp, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            text = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
            return None, f"hung: no exit after {timeout:g} s\n{text}"
        text = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        if proc.returncode != 0:
            return None, f"exit status {proc.returncode}\n{text}"
        return Path(tmp, "tinycc_out.bin").read_bytes(), text


def run(fw: Firmware, inputs: dict[str, list[np.ndarray]], timeout: float = RUN_TIMEOUT
        ) -> tuple[dict[str, tuple[int, list]], dict[str, str]]:
    """Every linked model on its inputs: ({name: (status, outputs)}, {name: why it did not finish})."""
    done: dict[str, tuple[int, list]] = {}
    failed: dict[str, str] = {}
    while True:
        todo = [n for n in fw.linked if n not in done and n not in failed]
        if not todo:
            return done, failed
        mask = np.array([n in todo for n in fw.linked], dtype=np.uint8)
        sample = [mask] + [x for n in todo for x in inputs[n]]
        in_layout = [((len(mask),), "uint8")] + [t for n in todo for t in fw.layouts[n][0]]
        out_layout = [t for n in todo for t in [((), "int32"), *fw.layouts[n][1]]]
        assert [tuple(np.shape(x)) for x in sample] == [tuple(s) for s, _ in in_layout]
        raw, text = _launch(fw.elf, io.pack([sample], in_layout), timeout)
        if raw is None:
            started = [int(k) for k in re.findall(r"^tinycc-model (\d+)$", text, re.M)]
            culprit = fw.linked[started[-1]] if started else None
            if culprit is None or culprit not in todo:      # no model to blame: every one left fails
                failed.update({n: f"the firmware failed under QEMU before any model ran: {text[-800:]}"
                               for n in todo})
                return done, failed
            failed[culprit] = f"faulted or hung in {culprit}_invoke under QEMU ({TARGET}): {text[-800:]}"
            continue        # the models before it ran, but their outputs went with the run: again without it
        outs = io.unpack(raw, out_layout, 1)[0]
        at = 0
        for n in todo:
            k = len(fw.layouts[n][1])
            done[n] = (int(outs[at]), outs[at + 1: at + 1 + k])
            at += 1 + k

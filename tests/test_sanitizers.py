"""Generated C under AddressSanitizer + UndefinedBehaviorSanitizer, with the arena canary on.

Every shared model (7 int8, 4 float) through the `c` backend; the int8 ones also through
`cmsis-nn` (CMSIS-NN compiled with the same sanitizers, two of UBSan's checks off for its own
fixed-point helpers: CMSIS_NN_FLAGS) and, with TVM installed, three int8 ones (TVM's conv,
depthwise and fully-connected kernels) and the four float ones through `microtvm` (TVM takes
10-40 s to build each of the other int8 models' kernels; test_microtvm.py runs them all
without sanitizers). Each build:
`cc -std=c99 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -DTINYCC_ARENA_CANARY`
plus the harness, 2 random inputs: exit status 0, nothing on stderr but the harness's timing
line, outputs bit-exact with tinycc's reference interpreter (float: within 1e-4).

The canary itself: a build whose arena constant is 16 bytes short makes NAME_invoke return
NAME_ERROR_ARENA_CANARY (c backend and microtvm's own float run function), an intact build
returns 0; without the macro the arena object is exactly NAME_ARENA_BYTES and the
preprocessed source has no trace of the canary.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.cmsis_nn_source import require_cmsis_nn
from tests.ops.check import random_inputs
from tests.tflm import models_dir
from tinycc.backends.c.plugin import ARENA_CANARY_ERROR
from tinycc.core import interpreter
from tinycc.core import samples as io
from tinycc.driver import compile_model
from tinycc.plugins.importers.tflite import load_tflite
from tinycc.plugins.runtimes.c_host import HARNESS

INT8_MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
               "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
               "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
               "tflm_examples/person_detect.tflite"]
FLOAT_MODELS = ["mlperf_tiny/vww_96_float.tflite", "mlperf_tiny/pretrainedResnet.tflite",
                "mlperf_tiny/ad01_fp32.tflite", "tflm_examples/hello_world_float.tflite"]
MICROTVM_MODELS = ["mlperf_tiny/kws_ref_model.tflite",
                   "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
                   *FLOAT_MODELS]
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"
CC = os.environ.get("CC", "cc")
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
DEBUG = ["-std=c99", "-g", "-O1", *SANITIZE, "-DTINYCC_ARENA_CANARY"]
# the harness mallocs its I/O buffers and exits without freeing them
ENV = {**os.environ, "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1", "UBSAN_OPTIONS": "print_stacktrace=1"}
SAMPLES = 2
FLOAT_TOL = 1e-4
TIMING = re.compile(r"^invoke_seconds [0-9.]+\n", re.M)       # c_harness.c's one line on stderr


def shared(rel: str) -> Path:
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    return path


def build(out: Path, flags=DEBUG, extra=()) -> Path:
    sources = [str(p) for p in sorted(out.rglob("*.c"))]
    includes = [f"-I{d}" for d in sorted({str(p.parent) for p in out.rglob("*.h")})]
    exe = out / "model_san"
    proc = subprocess.run([CC, *flags, *includes, *sources, str(HARNESS), *extra, "-o", str(exe), "-lm"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return exe


def run_clean(exe: Path, g, samples) -> list:
    """Run all samples through the sanitized program: status 0 and no report on stderr."""
    workdir = exe.parent
    (workdir / "in.bin").write_bytes(io.pack(samples, io.layout(g, g.inputs)))
    proc = subprocess.run([str(exe), str(workdir / "in.bin"), str(workdir / "out.bin"), str(len(samples))],
                          capture_output=True, text=True, env=ENV, timeout=600)
    assert proc.returncode == 0 and TIMING.sub("", proc.stderr) == "", \
        f"status {proc.returncode}, stderr:\n{proc.stderr[-4000:]}"
    return io.unpack((workdir / "out.bin").read_bytes(), io.layout(g, g.outputs), len(samples))


def check(rel: str, backend: str, tmp_path: Path, extra=()):
    path = shared(rel)
    g = load_tflite(path)
    out = tmp_path / "out"
    compile_model(path, backend, out)
    rng = np.random.default_rng(2024)
    samples = [random_inputs(g, rng) for _ in range(SAMPLES)]
    outs = run_clean(build(out, extra=extra), g, samples)
    for k, xs in enumerate(samples):
        for i, (o, e) in enumerate(zip(outs[k], interpreter.run(g, xs))):
            o = o.reshape(e.shape)
            if e.dtype == np.float32:
                np.testing.assert_allclose(o, e, rtol=FLOAT_TOL, atol=FLOAT_TOL, err_msg=f"sample {k}, output {i}")
            else:
                np.testing.assert_array_equal(o, e, err_msg=f"sample {k}, output {i}")


@pytest.mark.parametrize("rel", INT8_MODELS + FLOAT_MODELS)
def test_c_backend_is_clean_under_asan_ubsan(rel, tmp_path):
    check(rel, "c", tmp_path)


# CMSIS-NN's own fixed-point helpers (arm_nnsupportfunctions.h) shift negative values left
# (arm_nn_exp_on_negative_values) and compute (1 << 31) - 1 (arm_nn_divide_by_power_of_two at
# exponent 31): undefined in ISO C, what every compiler CMSIS-NN supports does in practice. Not
# tinycc's code: these two checks are off for CMSIS-NN's sources only, everything else stays on.
CMSIS_NN_FLAGS = [*DEBUG, "-fno-sanitize=shift-base,signed-integer-overflow"]


def cmsis_nn_sanitized(root: Path) -> Path:
    """CMSIS-NN's portable C built with the sanitizers, cached beside the package's host build."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tinycc"
    key = hashlib.sha256(f"{Path(root).resolve()} {' '.join(CMSIS_NN_FLAGS)}".encode()).hexdigest()[:12]
    lib = cache / f"libcmsisnn_sanitized-{key}.a"
    if lib.exists():
        return lib
    objdir = cache / f"cmsisnn_sanitized_objs-{key}.{os.getpid()}"
    objdir.mkdir(parents=True, exist_ok=True)
    sources = sorted((Path(root) / "Source").glob("*/*.c"))
    procs = [subprocess.Popen([CC, *CMSIS_NN_FLAGS, "-c", f"-I{Path(root) / 'Include'}", str(src), "-o",
                               str(objdir / f"{src.stem}.o")], stderr=subprocess.PIPE) for src in sources]
    for p in procs:
        assert p.wait() == 0, p.stderr.read().decode()[-2000:]
    tmp = lib.with_suffix(f".{os.getpid()}.a")
    subprocess.run(["ar", "rcs", str(tmp), *(str(objdir / f"{s.stem}.o") for s in sources)], check=True)
    os.replace(tmp, lib)
    shutil.rmtree(objdir, ignore_errors=True)
    return lib


@pytest.fixture(scope="module")
def cmsis():
    root = require_cmsis_nn()
    return [f"-I{root / 'Include'}", str(cmsis_nn_sanitized(root))]


@pytest.mark.parametrize("rel", INT8_MODELS)
def test_cmsis_nn_backend_is_clean_under_asan_ubsan(rel, cmsis, tmp_path):
    check(rel, "cmsis-nn", tmp_path, extra=cmsis)


@pytest.mark.parametrize("rel", MICROTVM_MODELS)
def test_microtvm_backend_is_clean_under_asan_ubsan(rel, tmp_path):
    pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    check(rel, "microtvm", tmp_path)


# ---- the canary ----

PROBE = """#include <stdio.h>
#include <stdlib.h>
#include "model.h"

int main(void) {
    const void *inputs[MODEL_NUM_INPUTS];
    void *outputs[MODEL_NUM_OUTPUTS];
    int i;
    for (i = 0; i < MODEL_NUM_INPUTS; ++i) inputs[i] = calloc(model_input_bytes[i] + 1, 1);
    for (i = 0; i < MODEL_NUM_OUTPUTS; ++i) outputs[i] = calloc(model_output_bytes[i] + 1, 1);
    printf("%d %d ", model_invoke(inputs, outputs), model_invoke(inputs, outputs));
    printf("%d\\n", MODEL_ERROR_ARENA_CANARY);
    return 0;
}
"""


def probe(out: Path, flags) -> list[int]:
    """Two invokes' statuses and the header's canary error code."""
    (out / "probe.c").write_text(PROBE)
    exe = out / "probe"
    sources = [str(p) for p in sorted(out.rglob("*.c"))]
    includes = [f"-I{d}" for d in sorted({str(p.parent) for p in out.rglob("*.h")})]
    proc = subprocess.run([CC, "-std=c99", "-O1", *flags, *includes, *sources, "-o", str(exe), "-lm"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (out / "probe.c").unlink()
    return [int(v) for v in subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()]


def shrink_arena(path: Path, declaration: str, nbytes: int):
    """The arena 16 bytes short: the model's last 16 arena bytes now overlap the canary."""
    text = path.read_text()
    assert text.count(declaration.format(nbytes)) >= 1, declaration
    path.write_text(text.replace(declaration.format(nbytes), declaration.format(nbytes - 16)))


def arena_bytes(out: Path) -> int:
    return int(re.search(r"#define MODEL_ARENA_BYTES (\d+)", (out / "model.h").read_text()).group(1))


def test_canary_catches_a_write_past_the_arena_in_the_c_backend(tmp_path):
    out = tmp_path / "out"
    compile_model(EXAMPLE, "c", out)
    n = arena_bytes(out)
    assert n > 16
    assert probe(out, ["-DTINYCC_ARENA_CANARY"]) == [0, 0, ARENA_CANARY_ERROR]
    assert probe(out, []) == [0, 0, ARENA_CANARY_ERROR]
    shrink_arena(out / "model.c", "uint8_t bytes[{}];", n)
    assert probe(out, ["-DTINYCC_ARENA_CANARY"]) == [ARENA_CANARY_ERROR, ARENA_CANARY_ERROR, ARENA_CANARY_ERROR]


def test_canary_catches_a_write_past_the_arena_in_microtvm_float(tmp_path):
    pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    from tests.test_hostile_names import float_model
    out = tmp_path / "out"
    compile_model(float_model(), "microtvm", out)
    lib = out / "codegen" / "host" / "src" / "model_lib.c"
    n = int(re.search(r"unsigned char arena\[(\d+)\]", lib.read_text()).group(1))
    assert probe(out, ["-DTINYCC_ARENA_CANARY"]) == [0, 0, ARENA_CANARY_ERROR]
    shrink_arena(lib, "unsigned char arena[{}]", n)
    assert probe(out, ["-DTINYCC_ARENA_CANARY"]) == [ARENA_CANARY_ERROR, ARENA_CANARY_ERROR, ARENA_CANARY_ERROR]


@pytest.mark.skipif(shutil.which("nm") is None, reason="binutils' nm is needed to read the object's symbol sizes")
def test_without_the_macro_the_build_is_the_release_one(tmp_path):
    out = tmp_path / "out"
    compile_model(EXAMPLE, "c", out)
    n = arena_bytes(out)
    pre = subprocess.run([CC, "-std=c99", "-E", "-P", f"-I{out}", str(out / "model.c")], capture_output=True,
                         text=True, check=True).stdout
    assert "canary" not in pre.lower() and "tinycc_guarded" not in pre

    def symbols(flags):
        obj = tmp_path / "model.o"
        subprocess.run([CC, "-std=c99", "-O2", *flags, f"-I{out}", "-c", str(out / "model.c"), "-o", str(obj)],
                       check=True)
        nm = subprocess.run(["nm", "-S", str(obj)], capture_output=True, text=True, check=True).stdout
        return {f[3]: int(f[1], 16) for f in (line.split() for line in nm.splitlines()) if len(f) == 4}

    assert symbols([])["arena"] == n
    guarded = symbols(["-DTINYCC_ARENA_CANARY"])
    assert "arena" not in guarded and guarded["tinycc_guarded"] == n + 2 * 16

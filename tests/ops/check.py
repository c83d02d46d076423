"""The one comparison every per-operator test makes: tinycc vs TF Lite Micro on a model's bytes.

`assert_matches_tflm(model_bytes)` runs random inputs through TFLM's reference kernels and
through tinycc's reference interpreter (and, with `c=True`, the `c` backend built with the
host compiler; with `sanitize=True`, built with ASan + UBSan and required to run clean) and
demands identical bytes for integer outputs, or `float_tol` for float ones.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.tflm import run_tflm
from tinycc.core import interpreter, samples
from tinycc.plugins.importers.tflite import load_tflite


def random_inputs(g, rng: np.random.Generator) -> list[np.ndarray]:
    """Integers over their whole range, floats uniform in [-4, 4)."""
    return samples.random_inputs(g, rng, float_range=(-4.0, 4.0))


SANITIZE = ["-g", "-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
SANITIZER_ENV = {**os.environ, "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1", "UBSAN_OPTIONS": "print_stacktrace=1"}


def run_c_sanitized(g, samples: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    """The c backend's C for `g` built with ASan + UBSan (any report aborts the run), all samples
    through one process: status 0 and no sanitizer report on stderr, else AssertionError."""
    import shutil

    from tests.c_build import build
    from tinycc.core import samples as io
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-san-"))
    try:
        exe = build(g, workdir, extra_flags=SANITIZE)
        (workdir / "in.bin").write_bytes(io.pack(samples, io.layout(g, g.inputs)))
        proc = subprocess.run([str(exe), str(workdir / "in.bin"), str(workdir / "out.bin"), str(len(samples))],
                              capture_output=True, text=True, env=SANITIZER_ENV, timeout=600)
        report = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("invoke_seconds"))
        assert proc.returncode == 0 and not report, f"sanitized C: status {proc.returncode}\n{report[-3000:]}"
        return io.unpack((workdir / "out.bin").read_bytes(), io.layout(g, g.outputs), len(samples))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def assert_matches_tflm(model: bytes, *, samples: int = 3, seed: int = 0, float_tol: float = 1e-5,
                        c: bool = False, inputs: list[np.ndarray] | None = None, sanitize: bool = False):
    g = load_tflite(Path("test.tflite"), model)
    rng = np.random.default_rng(seed)
    drawn = [inputs] if inputs is not None else [random_inputs(g, rng) for _ in range(samples)]
    sanitized = run_c_sanitized(g, drawn) if sanitize else None     # one sanitized build for all samples
    # a model with state (variable tensors) carries it through that one process: TFLM in one interpreter too
    carried = tflm_sequence(model, drawn) if sanitize and any(t.variable for t in g.tensors.values()) else None
    for k in range(samples):
        xs = drawn[min(k, len(drawn) - 1)]
        expected = run_tflm(model, xs)
        got = interpreter.run(g, xs)
        runs = [("reference", got)]
        if sanitized is not None:
            runs.append(("sanitized c", sanitized[k], carried[k] if carried is not None else expected))
        if c:
            from tests.c_build import run_c_model  # built lazily: only tests asking for C need a compiler
            runs.append(("c", run_c_model(g, xs)))
        for label, outs, *want in runs:
            for i, (e, o) in enumerate(zip(want[0] if want else expected, outs)):
                e = np.asarray(e)
                o = np.asarray(o).reshape(e.shape)
                assert o.dtype == e.dtype, f"{label} output {i}: dtype {o.dtype} != TFLM {e.dtype}"
                if e.dtype == np.float32:
                    np.testing.assert_allclose(o, e, rtol=float_tol, atol=float_tol,
                                               err_msg=f"{label} output {i}, sample {k}")
                else:
                    diff = np.flatnonzero(o != e)
                    assert diff.size == 0, (
                        f"{label} output {i}, sample {k}: {diff.size}/{e.size} elements differ from TFLM; "
                        f"first at {diff[0]}: got {o.flat[diff[0]]}, TFLM {e.flat[diff[0]]}")
        if inputs is not None:
            break
    return g


def assert_outputs_equal_tflm(model: bytes, samples: list[list[np.ndarray]], outputs: list[list[np.ndarray]]):
    """Outputs produced elsewhere (a compiled backend, QEMU: all samples through one model instance)
    equal TF Lite Micro's through one interpreter (variable tensors carry over), byte for byte."""
    for k, expected in enumerate(tflm_sequence(model, samples)):
        for i, (o, e) in enumerate(zip(outputs[k], expected)):
            np.testing.assert_array_equal(np.asarray(o).reshape(e.shape), e, err_msg=f"sample {k}, output {i}")


def assert_qemu_m4_equals_tflm(model: bytes, g, folder, samples: int, **build) -> dict:
    """Cross-build the generated C in `folder` (for graph `g`) for a Cortex-M4 (`build`: more
    cortexm.build arguments), run `samples` random inputs (seeds 0, 1, ...) under QEMU and check the
    outputs equal TF Lite Micro's, byte for byte; returns the build report."""
    from tinycc import cortexm
    report = cortexm.build(folder, "cortex-m4", **build)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(samples)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    assert_outputs_equal_tflm(model, xs, cortexm.run(report["elf"], "qemu-cortex-m4", xs, layout))
    return report


def tflm_sequence(model: bytes, drawn: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    """TFLM's outputs for every sample through ONE interpreter (its variable tensors carry over)."""
    from tinycc.backends.tflm.interpreter import interpreter, output_count
    it, outs = interpreter(model), []
    for xs in drawn:
        for i, x in enumerate(xs):
            it.set_input(np.ascontiguousarray(x).reshape(np.shape(x)), i)
        it.invoke()
        outs.append([np.array(it.get_output(i)) for i in range(output_count(model))])
    return outs


@dataclass
class ResetRuns:
    """One stateful model over `frames` with a reset before frame `reset_at`, three ways: TFLM's
    outputs through one interpreter over every frame (`tflm`) and through a fresh one from
    `reset_at` on (`tflm_fresh`); the reference `interpreter`'s over every frame (`ref`) and, after
    its reset(), from `reset_at` on (`ref_reset`); the C's, one process calling NAME_reset() before
    frame `reset_at` (`c`)."""
    tflm: list[list[np.ndarray]]
    tflm_fresh: list[list[np.ndarray]]
    ref: list[list[np.ndarray]]
    ref_reset: list[list[np.ndarray]]
    c: list[list[np.ndarray]]
    interpreter: interpreter.Interpreter
    reset_at: int

    def tflm_reset(self, k: int) -> list[np.ndarray]:
        """TFLM's outputs for frame k of the sequence with the reset (what the C must give)."""
        return self.tflm[k] if k < self.reset_at else self.tflm_fresh[k - self.reset_at]

    def ref_with_reset(self, k: int) -> list[np.ndarray]:
        """The reference's outputs for frame k of the sequence with the reset."""
        return self.ref[k] if k < self.reset_at else self.ref_reset[k - self.reset_at]


def runs_with_reset(model: bytes, g, frames: list[list[np.ndarray]], reset_at: int) -> ResetRuns:
    """`model` (loaded as `g`) over `frames` with a reset before `reset_at`: TFLM, the reference, the C."""
    from tests.c_build import run_c_steps
    ref = interpreter.Interpreter(g)
    got_ref = [ref.run(xs) for xs in frames]
    ref.reset()
    got_ref_reset = [ref.run(xs) for xs in frames[reset_at:]]
    return ResetRuns(tflm_sequence(model, frames), tflm_sequence(model, frames[reset_at:]), got_ref, got_ref_reset,
                     run_c_steps(g, frames, reset_at=reset_at), ref, reset_at)

"""Every operator x dtype of tests/ops/cases on a Cortex-M4 under QEMU, equal to TF Lite Micro.

One random case of each pair (its seed a hash of the pair's name, so a failure reproduces): the
`c` backend's C of all of them, each under its own name prefix, is cross-compiled with
arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror -pedantic in one batched compiler run per core,
linked into ONE firmware with a harness running every model on its inputs, and run in one QEMU
launch (tests/ops/m4_firmware.py). The same image holds every HOSTILE_VALID case (extreme but valid
quantisation: shifts of 30, int64 biases near 2^40, wrapping sums), where 32-bit arithmetic is
most likely to part from the host's. Each model's outputs must equal TFLM's on every element for
integers, within FLOAT_TOL for float32, with invoke status 0. What the host build cannot show is
what this checks: 32-bit `long`, the target's shifts and float code, alignment, picolibc's libm.
"""
from __future__ import annotations

import os
import pickle
import re
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases import CASES, DTYPES, HOSTILE_VALID
from tests.ops.check import random_inputs
from tests.tflm import run_tflm
from tinycc.plugins.importers.tflite import load_tflite

FLOAT_TOL = 1e-4
PAIRS = [(op, dtype) for op in CASES for dtype in DTYPES[op]]
XFAIL: dict[tuple[str, str], str] = {}      # (op, dtype) -> the precise reason it is wrong on the M4

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="needs arm-none-eabi-gcc and qemu-system-arm (apt-get install "
                                       "gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm)")


def seed_of(op: str, dtype: str) -> int:
    return zlib.crc32(f"{op}-{dtype}".encode())


def model_name(op: str, dtype: str) -> str:
    return f"m_{op}_{dtype}"


def hostile_name(case: str) -> str:
    return "h_" + re.sub(r"\W", "_", case)


def build_and_run(workdir: Path):
    """(cases, firmware, results, failures): every pair's and hostile case's model and inputs, the
    image, each linked model's (status, outputs) and why any did not finish."""
    from tests.ops import m4_firmware
    cases, graphs = {}, {}
    for op, dtype in PAIRS:
        seed = seed_of(op, dtype)
        model = CASES[op](np.random.default_rng(seed), dtype)
        g = load_tflite(Path(f"{op}-{dtype}.tflite"), model)
        cases[model_name(op, dtype)] = (model, random_inputs(g, np.random.default_rng(seed)))
        graphs[model_name(op, dtype)] = g
    for case, build in HOSTILE_VALID.items():
        model = build()
        g = load_tflite(Path(f"{case}.tflite"), model)
        cases[hostile_name(case)], graphs[hostile_name(case)] = (model, random_inputs(g, np.random.default_rng(0))), g
    fw = m4_firmware.build(graphs, workdir)
    results, failures = m4_firmware.run(fw, {n: xs for n, (_, xs) in cases.items()})
    return cases, fw, results, failures


@pytest.fixture(scope="module")
def firmware_run(tmp_path_factory):
    """Built and run once a session: under pytest-xdist the first worker to take the lock builds
    (with one compiler per core) and pickles the results; the others wait and read them."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build_and_run(tmp_path_factory.mktemp("m4-firmware"))
    import fcntl
    shared = tmp_path_factory.getbasetemp().parent      # the session's folder, common to its workers
    with open(shared / "m4-firmware.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "m4-firmware.pickle"
        if done.exists():
            return pickle.loads(done.read_bytes())
        result = build_and_run(shared / "m4-firmware")
        done.write_bytes(pickle.dumps(result))
        return result


def test_one_firmware_holds_every_pair(firmware_run):
    """Every pair and hostile case compiled and linked into the one image, and every model finished its run."""
    _, fw, results, failures = firmware_run
    missing = {**fw.errors, **failures}
    allowed = {model_name(*p) for p in XFAIL}
    assert set(missing) <= allowed, "\n\n".join(f"{n}: {why}" for n, why in missing.items() if n not in allowed)
    assert len(fw.linked) + len(fw.errors) == len(PAIRS) + len(HOSTILE_VALID)
    assert len(results) + len(failures) == len(fw.linked)


@pytest.mark.parametrize("op,dtype", [pytest.param(op, dtype, marks=pytest.mark.xfail(strict=True, reason=XFAIL[
    (op, dtype)])) if (op, dtype) in XFAIL else (op, dtype) for op, dtype in PAIRS], ids=[f"{o}-{d}" for o, d in PAIRS])
def test_cortex_m4_matches_tflm(firmware_run, op, dtype):
    assert_m4_equals_tflm(firmware_run, model_name(op, dtype), f"{op} {dtype} (seed {seed_of(op, dtype)})")


@pytest.mark.parametrize("case", sorted(HOSTILE_VALID))
def test_cortex_m4_hostile_quantisation_matches_tflm(firmware_run, case):
    assert_m4_equals_tflm(firmware_run, hostile_name(case), case)


def assert_m4_equals_tflm(firmware_run, name: str, label: str):
    cases, fw, results, failures = firmware_run
    assert name not in fw.errors, fw.errors.get(name)
    assert name not in failures, failures.get(name)
    model, xs = cases[name]
    status, outs = results[name]
    assert status == 0, f"{name}_invoke returned {status} on the Cortex-M4"
    expected = run_tflm(model, xs)
    assert len(outs) == len(expected)
    for i, (o, e) in enumerate(zip(outs, expected)):
        e = np.asarray(e)
        o = np.asarray(o).reshape(e.shape)
        assert o.dtype == e.dtype, f"output {i}: dtype {o.dtype} != TFLM {e.dtype}"
        if e.dtype == np.float32:
            np.testing.assert_allclose(o, e, rtol=FLOAT_TOL, atol=FLOAT_TOL, err_msg=f"{label} output {i} on the M4")
        else:
            diff = np.flatnonzero(o != e)
            assert diff.size == 0, (
                f"{label} output {i} on the M4: {diff.size}/{e.size} elements differ from TFLM; "
                f"first at {diff[0]}: got {o.flat[diff[0]]}, TFLM {e.flat[diff[0]]}")


def test_one_bad_model_costs_only_its_own_result(tmp_path, monkeypatch):
    """The firmware machinery itself: a model that does not compile stays out of the image with the
    compiler's words, one that faults (an undefined instruction in its invoke) is named and the run
    goes on past it, and the others' outputs still equal TFLM's."""
    from tests.ops import m4_firmware
    write_sources = m4_firmware.write_sources

    def sabotage(g, out, name):
        report = write_sources(g, out, name)
        source = out / f"{name}.c"
        head = f"int {name}_invoke(const void *const inputs[], void *const outputs[]) {{"
        if name == "faults":
            source.write_text(source.read_text().replace(head, head + ' __asm__ volatile("udf #0");', 1))
        if name == "broken":
            source.write_text(source.read_text() + "\nint broken_extra(void) { int unused; return 0; }\n")
        return report

    monkeypatch.setattr(m4_firmware, "write_sources", sabotage)
    models, graphs, inputs = {}, {}, {}
    for k, name in enumerate(["first", "faults", "broken", "last"]):
        models[name] = CASES["add"](np.random.default_rng(k), "int8")
        graphs[name] = load_tflite(Path(f"{name}.tflite"), models[name])
        inputs[name] = random_inputs(graphs[name], np.random.default_rng(k))
    fw = m4_firmware.build(graphs, tmp_path)
    assert list(fw.errors) == ["broken"] and "unused variable 'unused'" in fw.errors["broken"]
    assert fw.linked == ["first", "faults", "last"]
    results, failures = m4_firmware.run(fw, inputs)
    assert list(failures) == ["faults"] and "faults_invoke" in failures["faults"] and "hardfault" in failures["faults"]
    for name in ("first", "last"):
        status, outs = results[name]
        assert status == 0
        expected = np.asarray(run_tflm(models[name], inputs[name])[0])
        np.testing.assert_array_equal(outs[0].reshape(expected.shape), expected)

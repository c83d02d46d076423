"""Structure-aware fuzzing (issue #14): edited real-shaped models are refused clearly or compiled right.

A fixed, seeded budget of cases (`tests/fuzz_structured.py`: every supported operator in int8,
int16 and float32, the bundled keyword spotter and three ONNX models, each with one to three
targeted edits of scales, zero points, dims, indices, options, names, I/O lists, biases, dtypes)
goes through `tinycc compile` (c backend, the CLI entry in this process). An accepted model then
runs through the reference interpreter, TF Lite Micro (in a worker process) and the generated C
built with -fsanitize=address,undefined -fno-sanitize-recover=all, on random inputs. The test
asserts, for every case: no exit status 3, no other crash, timeout or MemoryError, C that builds
with -Werror -pedantic, no sanitizer report, and outputs equal to TFLM's (integers exactly,
float32 within FLOAT_TOL relative to max(1, max |TFLM|)). Models TFLM refuses while tinycc
accepts them are counted apart ("tflm refuses"; their C is checked against the reference).
The counts appear in the terminal summary; `python benchmarks/fuzz_structured.py --replay INDEX
--seed SEED` rebuilds and reruns a case.

`test_the_command_line_never_exits_3` runs the corpus through `tinycc.cli.main` as a user would
(compile, inspect, compare with the reference runtime, report): never exit status 3 (internal
error), and every refusal one message naming the file, without a traceback.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests import fuzz_structured as fs

SEED = 0
CASES = 240                    # about 2 minutes on one core: sanitized C for every accepted case
CLI_CASES = 150
TIMEOUT = 60.0                 # seconds per in-process stage
MEMORY = 2 << 30               # address space an in-process stage may add
REPORT = Path(__file__).resolve().parents[1] / ".pytest_cache" / "tinycc-fuzz"


def test_cases_are_deterministic():
    for i in (3, 17, 101):
        a, b = fs.make_case(SEED, i), fs.make_case(SEED, i)
        assert (a.label, a.data, a.edits) == (b.label, b.data, b.edits)
    assert fs.make_case(SEED, 3).data != fs.make_case(SEED + 1, 3).data


def test_every_operator_is_a_seed_in_int8():
    from tests.ops.cases import CASES as OP_CASES
    from tests.ops.cases import DTYPES as OP_DTYPES
    labels = {label for label, _ in fs.tflite_seeds()}
    assert {f"{op}/int8" for op in OP_CASES if "int8" in OP_DTYPES[op]} <= labels and "tiny_kws/int8" in labels
    assert {f"{op}/{OP_DTYPES[op][0]}" for op in OP_CASES} <= labels      # ops without int8 (the signal library)


def test_float_tolerance_rule():
    ref = np.float32([0.0, 10.0, np.nan])
    assert fs._differs(ref, np.float32([5e-4, 10.0, np.nan])) is None          # 1e-4 * max(1, 10)
    assert "beyond tolerance" in fs._differs(ref, np.float32([2e-3, 10.0, np.nan]))
    assert "NaN mismatch" in fs._differs(ref, np.float32([0.0, 10.0, 1.0]))
    assert "differ" in fs._differs(np.int8([1, 2]), np.int8([1, 3]))


def test_unedited_seeds_match_tflm(tmp_path):
    """The seeds are valid: compiled, and the reference equals TFLM (the harness finds nothing)."""
    tflm = fs.TflmWorker()
    try:
        pools = [("tflite", fs.tflite_seeds())]
        try:
            pools.append(("onnx", fs.onnx_seeds()))
        except ImportError:
            pass
        for fmt, pool in pools:
            for k, (label, data) in enumerate(pool):
                case = fs.Case(SEED, k, fmt, label, data, [])
                out = fs.run_case(case, tmp_path, tflm, build_c=False, timeout=TIMEOUT, memory=MEMORY)
                assert out.accepted and not out.findings, (label, out.refused_message, out.findings)
    finally:
        tflm.close()


def test_edited_models_are_refused_clearly_or_compiled_right(tmp_path):
    failures = []

    def record(out):
        bad = [f for f in out.findings if f.category in fs.ASSERTED]
        if bad:
            failures.append((out, bad))

    tally = fs.run_cases(SEED, 0, CASES, tmp_path, timeout=TIMEOUT, memory=MEMORY, on_outcome=record)
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "structured.json").write_text(json.dumps(
        {"cases": tally.cases, "ok": tally.accepted, "errors": tally.refused, "failures": tally.failures,
         "seconds": round(tally.seconds, 1), "sanitized": tally.sanitized, "counts": tally.counts}))
    counts = ", ".join(f"{c} {n}" for c, n in tally.counts.items())
    print(f"structured: {tally.cases} cases, {tally.refused} refused, {tally.accepted} accepted "
          f"({tally.sanitized} sanitized C runs); {counts}; {tally.seconds:.1f} s")
    shown = "\n\n".join(f"case {out.case.index} ({out.case.what}):\n" + "\n".join(
        f"  {f.category} at {f.stage}: {f.message[:600]}" for f in bad) for out, bad in failures[:5])
    if failures:
        pytest.fail(f"{len(failures)} of {tally.cases} cases failed ({counts}; replay: python "
                    f"benchmarks/fuzz_structured.py --replay INDEX --seed {SEED}):\n\n{shown}", pytrace=False)
    # the edits reach past validation: a fair share compiles, and a fair share is refused
    assert tally.accepted >= CASES // 6 and tally.refused >= CASES // 4, tally
    assert tally.sanitized >= tally.accepted // 2


BOARD = "cortex-m4-256k"


def test_the_command_line_never_exits_3(tmp_path):
    """Item 7: `tinycc compile / inspect / compare --runtimes reference / report` on the corpus."""
    problems, statuses = [], {}
    for i in range(CLI_CASES):
        case = fs.make_case(SEED, i)
        work = tmp_path / f"c{i}"
        work.mkdir()
        model = work / f"m{fs.fuzz_cases.FORMATS[case.fmt]}"
        model.write_bytes(case.data)
        for argv in (["compile", str(model), "-o", str(work / "out")],
                     ["inspect", str(model), "--json"],
                     ["compare", str(model), "--runtimes", "reference", "--samples", "1"],
                     ["report", str(model), "-t", BOARD, "--latency", "macs", "--json", str(work / "r.json")]):
            status, printed, _ = fs.cli_main(argv)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 3 or "Traceback" in printed:
                problems.append(f"case {i} ({case.what}): tinycc {argv[0]} -> {status}: {printed.strip()[-400:]}")
            elif status == 2 and str(model) not in printed:
                problems.append(f"case {i} ({case.what}): tinycc {argv[0]} refused without naming the file: "
                                f"{printed.strip()[-400:]}")
    print(f"structured corpus through the CLI: exit statuses {dict(sorted(statuses.items()))}")
    if problems:
        pytest.fail(f"{len(problems)} problems:\n" + "\n".join(problems[:10]), pytrace=False)
    assert statuses.get(3, 0) == 0 and statuses.get(0, 0) and statuses.get(2, 0)

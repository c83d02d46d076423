"""Malformed models are one clear error (issue #8): seeded fuzzing of the TFLite and ONNX importers.

A fixed budget of cases per format (`CASES` per family: byte-level and structural mutation,
see `fuzz_cases.py`) goes through what a compile does: load, the core passes, the memory plan,
`inspect`, and a reference-interpreter run on a random input for whatever loads. Each case must
end in success or a TinyccError naming the file; any other exception, a case running longer
than `TIMEOUT` seconds or allocating more than `MEMORY` bytes of address space fails the test
with the case's index and mutations (`python benchmarks/fuzz_models.py --replay INDEX ...`
rebuilds it). The run is deterministic (`SEED`); the counts appear in the terminal summary.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import fuzz_cases

SEED = 0
CASES = 1250                     # per format and family: 2,500 cases per format
TIMEOUT = 10.0                   # seconds per case
MEMORY = 1 << 30                 # address space a case may add
REPORT = Path(__file__).resolve().parents[1] / ".pytest_cache" / "tinycc-fuzz"


def _needs(fmt: str) -> None:
    if fmt == "onnx":
        pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")


@pytest.mark.parametrize("fmt", list(fuzz_cases.FORMATS))
def test_seed_models_go_through_the_whole_pipeline(fmt, tmp_path):
    """The unmutated seeds load, optimise, plan and run: mutations start from valid models."""
    _needs(fmt)
    for k, data in enumerate(fuzz_cases.seeds(fmt)):
        out = fuzz_cases.run_case(data, fmt, tmp_path, timeout=TIMEOUT, memory_bytes=MEMORY)
        assert out.status == "ok", f"{fmt} seed {k}: {out.status} at {out.stage}: {out.message}\n{out.trace}"


def test_cases_are_deterministic():
    for fmt in fuzz_cases.FORMATS:
        _needs(fmt)
        for family in fuzz_cases.FAMILIES:
            assert fuzz_cases.make_case(SEED, fmt, family, 7) == fuzz_cases.make_case(SEED, fmt, family, 7)


@pytest.mark.parametrize("family", fuzz_cases.FAMILIES)
@pytest.mark.parametrize("fmt", list(fuzz_cases.FORMATS))
def test_malformed_models_are_one_clear_error(fmt, family, tmp_path):
    _needs(fmt)
    failures = []
    tally = fuzz_cases.run_cases(SEED, fmt, family, 0, CASES, tmp_path, timeout=TIMEOUT, memory_bytes=MEMORY,
                                 on_failure=lambda i, what, out: failures.append((i, what, out)))
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"{fmt}-{family}.json").write_text(json.dumps(
        {"cases": tally.cases, "ok": tally.ok, "errors": tally.errors, "failures": tally.failures,
         "seconds": round(tally.seconds, 1)}))
    print(f"{fmt}/{family}: {tally.cases} cases, {tally.ok} loaded OK, {tally.errors} clear errors, "
          f"{tally.failures} failures, {tally.seconds:.1f} s")
    shown = "\n\n".join(f"case {i} ({what}): {out.status} at {out.stage}: {out.message}\n{out.trace}"
                        for i, what, out in failures[:3])
    assert not failures, (f"{len(failures)} of {tally.cases} {fmt}/{family} cases failed "
                          f"(replay: python benchmarks/fuzz_models.py --replay INDEX --format {fmt} "
                          f"--family {family} --seed {SEED}):\n\n{shown}")
    assert tally.cases == tally.ok + tally.errors == CASES
    # the mutations reach past the parser: some cases still load, most are refused
    assert tally.ok >= CASES // 100 and tally.errors >= CASES // 2


def _repeated_tensor_model(count: int, name_bytes: int) -> bytes:
    """A small .tflite whose tensor vector holds `count` offsets to one tensor with a long name:
    unpacked naively, count x name_bytes of copied names."""
    import flatbuffers
    s = fuzz_cases._tflite_schema()
    b = flatbuffers.Builder(1024)
    name = b.CreateString("n" * name_bytes)
    s.TensorStart(b)
    s.TensorAddName(b, name)
    tensor = s.TensorEnd(b)
    s.SubGraphStartTensorsVector(b, count)
    for _ in range(count):
        b.PrependUOffsetTRelative(tensor)
    tensors = b.EndVector()
    s.SubGraphStart(b)
    s.SubGraphAddTensors(b, tensors)
    sg = s.SubGraphEnd(b)
    s.ModelStartSubgraphsVector(b, 1)
    b.PrependUOffsetTRelative(sg)
    subgraphs = b.EndVector()
    s.ModelStart(b)
    s.ModelAddSubgraphs(b, subgraphs)
    s.ModelAddVersion(b, 3)
    b.Finish(s.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_aliased_tables_are_refused_before_unpacking(tmp_path):
    """225 KB that the object API would unpack into 2.6 GB of names: refused from the counts."""
    data = _repeated_tensor_model(40_000, 65_536)
    assert len(data) < 300_000
    out = fuzz_cases.run_case(data, "tflite", tmp_path, memory_bytes=256 << 20, timeout=20)
    assert out.status == "error", out
    assert "unpacking the model would build" in out.message and "fuzz.tflite" in out.message


def test_too_many_operators_is_a_clear_error(tmp_path):
    from tinycc.core.validate import MAX_NODES
    pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from onnx import TensorProto, helper
    n = MAX_NODES + 1
    nodes = [helper.make_node("Relu", [f"t{i}"], [f"t{i + 1}"]) for i in range(n)]
    graph = helper.make_graph(nodes, "long", [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info(f"t{n}", TensorProto.FLOAT, [1, 4])])
    data = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    out = fuzz_cases.run_case(data, "onnx", tmp_path, timeout=60)
    assert out.status == "error" and f"{n:,} nodes" in out.message, out


def test_a_long_onnx_model_imports_in_linear_time(tmp_path):
    """Shape queries validate only the nodes added since the last query (2,000 softmaxes took
    minutes when each query revalidated the whole graph built so far)."""
    pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    import time

    from onnx import TensorProto, helper
    n = 2000
    nodes = [helper.make_node("Softmax", [f"t{i}"], [f"t{i + 1}"], name=f"s{i}") for i in range(n)]
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info(f"t{n}", TensorProto.FLOAT, [1, 4])])
    data = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    path = tmp_path / "chain.onnx"
    path.write_bytes(data)
    from tinycc.driver import load_model
    t0 = time.perf_counter()
    g = load_model(path)
    assert len(g.nodes) == n and g.tensors[g.outputs[0]].shape == (1, 4)
    assert time.perf_counter() - t0 < 20


@pytest.mark.parametrize("fmt", list(fuzz_cases.FORMATS))
def test_the_command_line_gives_one_message_and_exit_2(fmt, tmp_path):
    """What a user sees for a refused case: one message naming the file, exit status 2, no
    traceback and no output folder (the first refused cases of each family, through `tinycc compile`)."""
    import subprocess
    import sys
    _needs(fmt)
    checked = 0
    for family in fuzz_cases.FAMILIES:
        refused = 0
        for i in range(200):
            data, what = fuzz_cases.make_case(SEED, fmt, family, i)
            if fuzz_cases.run_case(data, fmt, tmp_path, timeout=TIMEOUT, memory_bytes=MEMORY).status != "error":
                continue
            model = tmp_path / f"case{i}{fuzz_cases.FORMATS[fmt]}"
            model.write_bytes(data)
            out = tmp_path / f"out{i}"
            r = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(out)],
                               capture_output=True, text=True, timeout=120)
            assert r.returncode == 2, (family, i, what, r.stdout, r.stderr)
            assert "Traceback" not in r.stderr + r.stdout, (family, i, what, r.stderr)
            assert str(model) in r.stderr, (family, i, what, r.stderr)
            assert not out.exists() and not list(tmp_path.glob(f".out{i}*")), (family, i, what)
            refused += 1
            if refused == 3:
                break
        checked += refused
    assert checked == 6

"""ONNX's own node test cases (shipped in the `onnx` wheel) through tinycc's ONNX importer.

For every operator the importer claims, every node case built only from claimed operators is
imported (inputs after the first baked in as constants when the importer needs constant
weights), run through the reference interpreter and the `c` backend, and compared with ONNX's
expected outputs (float32, rtol 1e-4, atol 1e-5). A case may be refused with a clear
TinyccError (an attribute or dtype tinycc does not take); it may never produce a wrong
answer or crash, and each claimed operator must pass at least one case. Pass/refused counts
per operator are printed in the terminal summary. Cases of an operator unchanged since an opset
older than 13 (And, Or, Not) are declared at opset 13 (as_opset13).

The cases refused today, by reason: element types the importer does not take (uint*, int64,
float16, double, strings; int8/int16 without quantisation parameters), ArgMax/ArgMin with
select_last_index=1 (TFLM returns the first index), Pow with an exponent that is a tensor of
several values, reductions of an empty input (a dimension of size 0), ReduceMax/Min of bool,
Where on int64 values; the layer operators' refusals (pooling modes, Gemm/Pad variants) predate
issue 18. Multi-node cases (the `_expanded` function bodies) are skipped by cases_by_op.
"""
from __future__ import annotations

import copy
import json
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.plugins.importers.onnx import SUPPORTED, load_onnx  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5
# claimed operators whose node cases cannot exercise them, and why
UNTESTABLE = {"Constant": "its node cases are models without inputs (a constant output), which tinycc refuses; "
                          "Constant is covered inside exported models (tests/test_onnx.py)"}
REPORT_DIR = Path(__file__).resolve().parents[1] / ".pytest_cache" / "tinycc-onnx-node-cases"


@lru_cache(maxsize=1)
def cases_by_op() -> dict[str, list]:
    from onnx.backend.test.case.node import collect_testcases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    out: dict[str, list] = {op: [] for op in SUPPORTED}
    for c in cases:
        ops = {n.op_type for n in c.model.graph.node}
        if ops <= set(SUPPORTED) and len(c.model.graph.node) == 1:
            out[c.model.graph.node[0].op_type].append(c)
    return out


def baked(model, inputs):
    """The model with every input but the first turned into a constant of the given values."""
    m = copy.deepcopy(model)
    first = m.graph.input[0]
    for vi, value in zip(list(m.graph.input)[1:], inputs[1:]):
        if isinstance(value, onnx.TensorProto):
            tensor = copy.deepcopy(value)
            tensor.name = vi.name
        else:
            tensor = onnx.numpy_helper.from_array(np.asarray(value), vi.name)
        m.graph.initializer.append(tensor)
    del m.graph.input[:]
    m.graph.input.extend([first])
    return m


def as_opset13(model):
    """A case written for an opset older than 13 (tinycc's oldest) whose operator has not changed
    since (And, Not, Or are defined at opsets 7 and 1): the same model declared at opset 13."""
    version = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=13)
    if version >= 13 or onnx.defs.get_schema(model.graph.node[0].op_type, 13).since_version > version:
        return model
    m = copy.deepcopy(model)
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = 13
    m.ir_version = max(m.ir_version, 7)
    return m


def import_case(model, inputs, tmp_path):
    """(graph, inputs it takes) or raises the importer's TinyccError."""
    err = None
    model = as_opset13(model)
    for attempt in ("as-is", "constants") if model.graph.input else ("as-is",):
        m = model if attempt == "as-is" else baked(model, inputs)
        path = tmp_path / f"case_{attempt}.onnx"
        onnx.save(m, str(path))
        try:
            return load_onnx(path), (inputs if attempt == "as-is" else inputs[:1])
        except TinyccError as e:
            err = e
    raise err


@pytest.mark.parametrize("op", SUPPORTED)
def test_onnx_node_cases(op, tmp_path):
    if op in UNTESTABLE:
        pytest.skip(UNTESTABLE[op])
    counts = Counter()
    for case in cases_by_op()[op]:
        for k, (inputs, expected) in enumerate(case.data_sets):
            try:
                g, ins = import_case(case.model, inputs, tmp_path)
            except TinyccError as err:
                assert err.node or err.file, f"{case.name}: refusal without a location: {err.render()}"
                counts["refused"] += 1
                continue
            ins = [np.asarray(x) for x in ins]
            ref = interpreter.run(g, ins)
            workdir = tmp_path / f"{case.name}_{k}"
            workdir.mkdir()
            c_out = run_exe(build(g, workdir), g, [ins])[0]
            for i, e in enumerate(expected):
                e = np.asarray(e)
                np.testing.assert_allclose(ref[i].reshape(e.shape), e, rtol=RTOL, atol=ATOL,
                                           err_msg=f"{case.name} data set {k}: reference, output {i}")
                np.testing.assert_allclose(c_out[i].reshape(e.shape), e, rtol=RTOL, atol=ATOL,
                                           err_msg=f"{case.name} data set {k}: c backend, output {i}")
            counts["passed"] += 1
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{op}.json").write_text(json.dumps(dict(counts)))
    assert counts["passed"] >= 1, f"{op} is claimed but passes none of ONNX's node cases ({dict(counts)})"

# issue 18 (quantised imports): the QOperator operators; ONNX's node cases of QLinearConv and QLinearMatMul
# feed uint8 model inputs (tinycc takes float or int8 inputs), the com.microsoft ones have none
UNTESTABLE.update({op: "covered by tests/test_quantized_imports.py (onnxruntime's QOperator models)"
                   for op in ("QLinearConv", "QLinearMatMul", "QGemm", "QLinearAdd", "QLinearMul", "QLinearConcat",
                              "QLinearAveragePool", "QLinearGlobalAveragePool", "QLinearSigmoid")})

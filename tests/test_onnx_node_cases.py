"""ONNX's own node test cases (shipped in the `onnx` wheel) through tinycc's ONNX importer.

For every operator the importer claims, every node case built only from claimed operators is
imported (inputs after the first baked in as constants when the importer needs constant
weights), run through the reference interpreter and the `c` backend, and compared with ONNX's
expected outputs (float32, rtol 1e-4, atol 1e-5). A case may be refused with a clear
TinyccError (an attribute or dtype tinycc does not take); it may never produce a wrong
answer or crash, and each claimed operator must pass at least one case. Pass/refused counts
per operator are printed in the terminal summary.
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


def import_case(model, inputs, tmp_path):
    """(graph, inputs it takes) or raises the importer's TinyccError."""
    err = None
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


# ---- claimed by the recurrent operators (LSTM, GRU, RNN: onnx_ops/_recurrent.py): these cases must pass,
# not be refused; the one refused must say why ----
RECURRENT_PASS = ("test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_batchwise", "test_lstm_reverse",
                  "test_lstm_bidirectional", "test_gru_defaults", "test_gru_with_initial_bias", "test_gru_seq_length",
                  "test_gru_batchwise", "test_gru_reverse", "test_gru_bidirectional", "test_simple_rnn_defaults",
                  "test_simple_rnn_with_initial_bias", "test_rnn_seq_length", "test_simple_rnn_batchwise",
                  "test_simple_rnn_reverse", "test_simple_rnn_bidirectional")
RECURRENT_REFUSED = {"test_lstm_with_peepholes": "peephole weights (input P) are not supported"}


@pytest.mark.parametrize("name", [*RECURRENT_PASS, *RECURRENT_REFUSED])
def test_recurrent_node_cases_claimed(name, tmp_path):
    import re
    case = next((c for op in ("LSTM", "GRU", "RNN") for c in cases_by_op().get(op, []) if c.name == name), None)
    if case is None:
        pytest.skip(f"{name} is not among this onnx wheel's node test cases")
    for k, (inputs, expected) in enumerate(case.data_sets):
        if name in RECURRENT_REFUSED:
            with pytest.raises(TinyccError, match=re.escape(RECURRENT_REFUSED[name])):
                import_case(case.model, inputs, tmp_path)
            continue
        g, ins = import_case(case.model, inputs, tmp_path)
        got = interpreter.run(g, [np.asarray(x) for x in ins])
        for i, e in enumerate(expected):
            np.testing.assert_allclose(got[i].reshape(np.asarray(e).shape), e, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name} data set {k}: output {i}")

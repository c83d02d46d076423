"""The ONNX importer's operator registry (issue 16): conversions found by module name in
plugins/importers/onnx_ops/, one-to-one operators from the core ops' ONNX_OP, and every
unsupported operator of a model refused in one error."""
from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from onnx import TensorProto, helper  # noqa: E402

from tinycc.core import interpreter, ops  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.plugins.importers import onnx_ops  # noqa: E402
from tinycc.plugins.importers.onnx import SUPPORTED, load_onnx  # noqa: E402


def chain(path, op_types, domain_of=None):
    """x (1, 8) through one node of each type in turn; saved as path."""
    domain_of = domain_of or {}
    nodes, prev = [], "x"
    for k, op in enumerate(op_types):
        nodes.append(helper.make_node(op, [prev], [f"t{k}"], name=f"n{k}", domain=domain_of.get(op, "")))
        prev = f"t{k}"
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 8])])
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)]
    onnx.save(helper.make_model(graph, opset_imports=opsets), str(path))
    return path


def test_module_names_are_onnx_operators_and_one_to_one_ops_come_from_the_core():
    found = onnx_ops.converters()
    assert tuple(sorted(found)) == SUPPORTED
    from tinycc.plugins.importers.onnx import MICROSOFT  # onnxruntime's com.microsoft operators (QGemm ...)
    for name in SUPPORTED:
        assert onnx.defs.has(name) or name in MICROSOFT, f"{name} is not an ONNX operator (a misnamed module?)"
    assert MICROSOFT <= set(SUPPORTED)
    one_to_one = {k: m.NAME for k, m in ops.onnx_ops().items()}
    assert one_to_one == {"Relu": "relu", "Sigmoid": "logistic", "Tanh": "tanh", "Add": "add", "Sub": "sub",
                          "Mul": "mul", "LeakyRelu": "leaky_relu", "Abs": "abs", "Neg": "neg", "Exp": "exp",
                          "Log": "log", "Sqrt": "sqrt", "Div": "div", "Floor": "floor", "Ceil": "ceil",
                          "Round": "round", "Sin": "sin", "Cos": "cos", "HardSwish": "hard_swish", "PRelu": "prelu",
                          "Equal": "equal", "Less": "less", "Greater": "greater", "LessOrEqual": "less_equal",
                          "GreaterOrEqual": "greater_equal", "Not": "logical_not", "And": "logical_and",
                          "Or": "logical_or", "Where": "select_v2"}
    assert onnx_ops.onnx_name("global_average_pool") == "GlobalAveragePool"
    assert found["Add"].min_inputs == 2 and found["BatchNormalization"].min_inputs == 5
    assert found["Constant"].min_inputs == 0 and found["Relu"].min_inputs == 1


def test_leaky_relu_takes_onnx_default_alpha(tmp_path):
    g = load_onnx(chain(tmp_path / "leaky.onnx", ["LeakyRelu"]))
    assert [n.op for n in g.nodes] == ["leaky_relu"] and g.nodes[0].attrs["alpha"] == pytest.approx(0.01)
    x = np.linspace(-4, 4, 8, dtype=np.float32).reshape(1, 8)
    np.testing.assert_allclose(interpreter.run(g, [x])[0], np.where(x >= 0, x, np.float32(0.01) * x), rtol=1e-6)


def test_all_unsupported_operators_are_one_error(tmp_path):
    path = chain(tmp_path / "many.onnx", ["Relu", "Hardmax", "Relu", "Hardmax", "Shrink", "Gelu2"],
                 {"Gelu2": "com.example"})
    with pytest.raises(TinyccError) as info:
        load_onnx(path)
    text = info.value.render()
    assert "ONNX operators not supported: Hardmax x2 (first: 'n1'), Shrink x1 (first: 'n4'), " \
           "com.example.Gelu2 x1 (first: 'n5')" in text, text
    assert text.count("not supported") == 1 and "supported: Abs, Add, And" in text
    assert info.value.node == "n1" and str(path) in text


def test_a_supported_name_in_another_domain_is_refused(tmp_path):
    path = chain(tmp_path / "domain.onnx", ["Relu"], {"Relu": "com.example"})
    with pytest.raises(TinyccError, match=r"ONNX operator not supported: com\.example\.Relu x1 \(first: 'n0'\)"):
        load_onnx(path)

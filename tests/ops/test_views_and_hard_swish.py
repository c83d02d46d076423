"""SQUEEZE and EXPAND_DIMS (views: no kernel, no copy) and HARD_SWISH, beyond the random single-op
cases of test_ops_vs_tflm: HARD_SWISH int8 on every input byte across input / output scales from
1e-9 to 1e6 (every output and relu-ish exponent, the int16 wraps of TFLM's kernel) equals TF Lite
Micro; the scales TFLM refuses are refused, clearly; the views share their input's storage in the
compiled C and still equal TFLM; bad axes are refused; the tflm backend registers the three ops.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle (tflite-micro extra)")

from tests.ops.cases import unchecked_single_op
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op
from tests.tflm import run_tflm
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import interpreter, ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

EVERY_BYTE = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)


def _scales(rng):
    s_in = float(np.float32(np.exp(rng.uniform(np.log(1e-9), np.log(1e6)))))
    how = rng.integers(3)
    if how == 0:      # just above input scale / 128: the output multiplier near 1, zero point adds wrap int16
        return s_in, s_in / 128 * float(rng.uniform(1.0005, 1.05))
    if how == 1:
        return s_in, s_in * float(np.exp(rng.uniform(-4, 8)))
    return s_in, float(np.float32(np.exp(rng.uniform(np.log(1e-9), np.log(1e6)))))


def test_hard_swish_int8_every_byte_equals_tflm_across_scales():
    rng = np.random.default_rng(16)
    out_exps, relu_exps, compared = set(), set(), 0
    for _ in range(400):
        s_in, s_out = _scales(rng)
        x = act("x", (1, 256), "int8", q(s_in, int(rng.integers(-128, 128))))
        y = act("y", (), "int8", q(s_out, int(rng.integers(-128, 128))))
        try:
            model = single_op("hard_swish", [x], y)
        except TinyccError:
            continue                        # output scale <= input scale / 128: see the refusal test
        g = load_tflite(Path("m.tflite"), model)
        p = ops.get("hard_swish").prepare(g.nodes[0], g)
        out_exps.add(p["output_exponent"])
        relu_exps.add(p["reluish_exponent"])
        expected = np.asarray(run_tflm(model, [EVERY_BYTE])[0]).reshape(-1)
        got = np.asarray(interpreter.run(g, [EVERY_BYTE])[0]).reshape(-1)
        diff = np.flatnonzero(got != expected)
        assert diff.size == 0, (f"scales {s_in:g} -> {s_out:g}, {p}: input {EVERY_BYTE.reshape(-1)[diff[0]]} gives "
                                f"{got[diff[0]]}, TFLM {expected[diff[0]]}")
        compared += 1
    assert compared > 250
    # the unusual paths were taken: right shifts of 16 and more (the int16 mask of gemmlowp's
    # RoundingDivideByPOT truncates), a relu-ish left shift, a zero output shift
    assert min(out_exps) <= -16 and 0 in out_exps
    assert min(relu_exps) <= -16 and max(relu_exps) >= 2


@pytest.mark.parametrize("ratio", [0.5, 0.99, 1.0])
def test_hard_swish_output_scale_not_above_input_over_128_is_refused_as_tflm_refuses(ratio, capfd):
    s_in = 0.25
    model = unchecked_single_op("hard_swish", [act("x", (1, 8), "int8", q(s_in, 3))],
                                act("y", (), "int8", q(s_in / 128 * ratio, -2)))
    with pytest.raises(TinyccError) as err:
        validate(load_tflite(Path("m.tflite"), model))
    text = err.value.render()
    assert "hard_swish" in text and "'x' scale 0.25 / 128" in text and "below 1" in text
    with pytest.raises(Exception, match="failed to allocate"):
        run_tflm(model, [np.zeros((1, 8), np.int8)])
    assert "output_multiplier_exponent <= 0 was not true" in capfd.readouterr().err     # TFLM's Prepare


def test_hard_swish_refuses_int16_as_tflm_has_no_int16_kernel():
    x, y = act("x", (1, 8), "int16", q(1 / 4096, 0)), act("y", (), "int16", q(1 / 4096, 0))
    g = Graph("g", {"x": x, "y": y}, [Node("n1", "hard_swish", ["x"], ["y"])], ["x"], ["y"], source="m.tflite")
    with pytest.raises(TinyccError) as err:
        validate(g)
    assert "int16" in err.value.render() and "hard_swish" in err.value.render()


def _view_chain(dtype: str) -> bytes:
    """x (1, 4, 1, 6) -> relu -> squeeze axis 2 -> expand_dims axis -1 -> hard_swish -> y."""
    quant = None if dtype == "float32" else q(0.05, 3)
    t = {"x": act("x", (1, 4, 1, 6), dtype, quant), "a": act("a", (), dtype, quant),
         "b": act("b", (), dtype, quant), "c": act("c", (), dtype, quant),
         "y": act("y", (), dtype, None if dtype == "float32" else q(0.04, -20))}
    nodes = [Node("relu", "relu", ["x"], ["a"]), Node("sq", "squeeze", ["a"], ["b"], {"axes": (2,)}),
             Node("ex", "expand_dims", ["b"], ["c"], {"axis": -1}), Node("hs", "hard_swish", ["c"], ["y"])]
    return write_tflite(validate(Graph("views", t, nodes, ["x"], ["y"], source="<views>")))


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_views_share_their_input_storage_in_the_c_backend_and_equal_tflm(tmp_path, dtype):
    from tests.c_build import write_sources
    model = _view_chain(dtype)
    g = assert_matches_tflm(model, samples=2, seed=3, float_tol=1e-5, c=True)
    assert [n.op for n in g.nodes] == ["relu", "squeeze", "expand_dims", "hard_swish"]
    assert g.tensors["b"].shape == (1, 4, 6) and g.tensors["c"].shape == (1, 4, 6, 1)
    write_sources(g, tmp_path)
    source = (tmp_path / "model.c").read_text()
    assert "/* squeeze: shares its input's storage */" in source
    assert "/* expand_dims: shares its input's storage */" in source
    assert ("tinycc_lut_s8(" in source) if dtype == "int8" else ("tinycc_hard_swish_f32(" in source)


@pytest.mark.parametrize("op, shape, attrs, words", [
    ("squeeze", (1, 3, 1), {"axes": (1,)}, ["axis 1", "of size 3, not 1"]),
    ("squeeze", (1, 3, 1), {"axes": (3,)}, ["axis 3", "out of range"]),
    ("squeeze", (1, 3, 1), {"axes": (-4,)}, ["axis -4", "out of range"]),
    ("expand_dims", (2, 3), {"axis": 3}, ["axis 3", "from -3 to 2"]),
    ("expand_dims", (2, 3), {"axis": -4}, ["axis -4", "from -3 to 2"]),
])
def test_bad_axes_are_refused_clearly(op, shape, attrs, words):
    t = {"x": act("x", shape, "int8", q(0.1, 0)), "y": act("y", (), "int8", q(0.1, 0))}
    g = Graph("g", t, [Node("n1", op, ["x"], ["y"], attrs)], ["x"], ["y"], source="m.tflite")
    with pytest.raises(TinyccError) as err:
        validate(g)
    text = err.value.render()
    assert "'n1'" in text and op in text and all(w in text for w in words), text


def test_squeeze_without_axes_drops_every_size_1_dim_as_tflm_does():
    x = act("x", (1, 5, 1, 1, 2), "int8", q(0.1, 1))
    model = single_op("squeeze", [x], act("y", (), "int8", q(0.1, 1)), {"axes": ()})
    g = assert_matches_tflm(model, samples=1)
    assert g.tensors[g.outputs[0]].shape == (5, 2)


@pytest.mark.parametrize("axis, words", [(np.array([1], np.int64), "is int64 of shape (1,)"),
                                         (np.array([1, 0], np.int32), "is int32 of shape (2,)"),
                                         (np.array([], np.int32), "must be a constant tensor")],
                         ids=["int64", "two-elements", "empty"])
def test_expand_dims_axis_must_be_one_constant_int32(tmp_path, axis, words):
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    t = {"x": act("x", (2, 3), "int8", q(0.1, 0)), "y": act("y", (2, 1, 3), "int8", q(0.1, 0))}
    g = Graph("g", t, [Node("n1", "expand_dims", ["x"], ["y"], {"axis": 1})], ["x"], ["y"])
    path = tmp_path / "m.tflite"
    path.write_bytes(write_tflite(g))
    assert load_tflite(path).nodes[0].attrs["axis"] == 1          # the written axis operand reads back
    m = s.ModelT.InitFromObj(s.Model.GetRootAs(path.read_bytes(), 0))
    axis_tensor = m.subgraphs[0].tensors[m.subgraphs[0].operators[0].inputs[1]]
    axis_tensor.type = s.TensorType.INT64 if axis.dtype == np.int64 else s.TensorType.INT32
    axis_tensor.shape = list(axis.shape)
    m.buffers[axis_tensor.buffer].data = axis.view(np.uint8)
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    path.write_bytes(bytes(b.Output()))
    with pytest.raises(TinyccError) as err:
        load_tflite(path)
    text = err.value.render()
    assert "'op0:y'" in text and "EXPAND_DIMS" in text and words in text, text


def test_tflm_backend_registers_the_three_ops():
    from tinycc.backends.tflm.plugin import resolver_methods
    methods = resolver_methods(_view_chain("int8"))
    assert {"AddSqueeze", "AddExpandDims", "AddHardSwish", "AddRelu"} <= set(methods)

"""Validation decides, kernels never meet nonsense: the structure of a model (issue 14, item 2).

Every model is built here (tinycc's TFLite writer, then edited through the schema object API of
`tflite_micro`, as a hostile file would be) and compiled with the real CLI entry point:
- tensor names are data: names repeated, and repeated names beside names shaped like the ones
  de-duplication makes (`n`, `n#5`, `n`, ...), compile and equal TF Lite Micro on every output
  byte (reference interpreter and the `c` backend); names the passes invent (`x/int8`,
  `.../requantized...`) never replace a tensor of the model either;
- options outside their enums or inconsistent with the shapes (depth multiplier, padding, fused
  activation, strides, dilations, windows, weights format), a missing or foreign options table
  where TF Lite Micro would read zero strides, biases of the wrong dtype, subgraph inputs and
  outputs listed twice, a constant input, an input that is also an output, operator tensor
  indices out of range: exit status 2 and a message naming the value (no traceback, no output);
- where TF Lite Micro reads an absent table as harmless defaults (FULLY_CONNECTED, ADD,
  SOFTMAX's beta 0), tinycc reads the same and equals it;
- all unsupported operators of a model in one message (names, counts, first node), dtype names;
- a float `concat([tanh(x), tanh(x)])` quantised with calibration data compiles and equals TFLM.
"""
from __future__ import annotations

import copy
from pathlib import Path

import flatbuffers
import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.cli import main
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes import Sequential
from tinycc.core.passes.calibrate import calibrate
from tinycc.core.passes.quantize import QuantizeInt8
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

schema = pytest.importorskip("tflite_micro.tensorflow.lite.micro.python.schema_py_generated",
                             reason="the TFLite schema object API ships with tflite-micro")


# ---------------------------------------------------------------- helpers
def edit(model: bytes, change) -> bytes:
    """The model with `change(ModelT)` applied, packed again (what a hostile file can say)."""
    m = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    change(m)
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def compile_cli(tmp_path: Path, model: bytes, capsys, *args) -> tuple[int, str]:
    path = tmp_path / "model.tflite"
    path.write_bytes(model)
    out = tmp_path / "out"
    status = main(["compile", str(path), "-o", str(out), *map(str, args)])
    err = capsys.readouterr().err
    if status != 0:
        assert not out.exists(), "a refused model left an output folder"
    return status, err


def assert_refused(tmp_path, model: bytes, capsys, *needles):
    status, err = compile_cli(tmp_path, model, capsys)
    assert status == 2, (status, err)
    assert "Traceback" not in err and "internal error" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def rng_int8(rng, shape):
    return rng.integers(-127, 128, size=shape).astype(np.int8)


def conv_model(op: str = "conv_2d", *, cin: int = 4, mult: int = 1, bias: bool = True) -> bytes:
    """One int8 convolution (or depthwise convolution with multiplier `mult`) on a 6x6 input."""
    rng = np.random.default_rng(3)
    cout = cin * mult if op == "depthwise_conv_2d" else 5
    wshape = (1, 3, 3, cout) if op == "depthwise_conv_2d" else (cout, 3, 3, cin)
    axis = 3 if op == "depthwise_conv_2d" else 0
    ins = [act("x", (1, 6, 6, cin), "int8", q(0.05, 3)),
           const("w", rng_int8(rng, wshape), q(np.linspace(0.01, 0.03, cout), np.zeros(cout), axis))]
    if bias:
        ins.append(const("b", rng.integers(-3000, 3000, cout).astype(np.int32),
                         q(0.05 * np.linspace(0.01, 0.03, cout), np.zeros(cout))))
    attrs = {"pads": (1, 1, 1, 1), "activation": "relu"}
    if op == "depthwise_conv_2d":
        attrs["depth_multiplier"] = mult
    return single_op(op, ins, act("y", (), "int8", q(0.2, -5)), attrs)


def pool_model(op: str) -> bytes:
    return single_op(op, [act("x", (1, 6, 6, 3), "int8", q(0.05, 3))], act("y", (), "int8", q(0.05, 3)),
                     {"kernel": (2, 2), "strides": (2, 2)})


def fc_chain_int8() -> bytes:
    """hello_world's shape: x (1,1) -> FC 16 relu -> FC 16 relu -> FC 1, two (16,) int32 biases."""
    rng = np.random.default_rng(5)
    t = {"x": Tensor("x", (1, 1), "int8", q(0.025, -128)),
         "w1": Tensor("w1", (16, 1), "int8", q(0.004), rng_int8(rng, (16, 1))),
         "b1": Tensor("b1", (16,), "int32", q(0.0001), rng.integers(-9000, 9000, 16).astype(np.int32)),
         "w2": Tensor("w2", (16, 16), "int8", q(0.01), rng_int8(rng, (16, 16))),
         "b2": Tensor("b2", (16,), "int32", q(0.0003), rng.integers(-2000, 2000, 16).astype(np.int32)),
         "w3": Tensor("w3", (1, 16), "int8", q(0.01), rng_int8(rng, (1, 16))),
         "b3": Tensor("b3", (1,), "int32", q(0.0003), np.array([77], np.int32)),
         "h1": Tensor("h1", (), "int8", q(0.03, -128)), "h2": Tensor("h2", (), "int8", q(0.04, -128)),
         "y": Tensor("y", (), "int8", q(0.01, 4))}
    nodes = [Node("fc1", "fully_connected", ["x", "w1", "b1"], ["h1"], {"activation": "relu"}),
             Node("fc2", "fully_connected", ["h1", "w2", "b2"], ["h2"], {"activation": "relu"}),
             Node("fc3", "fully_connected", ["h2", "w3", "b3"], ["y"])]
    return write_tflite(validate(Graph("chain", t, nodes, ["x"], ["y"], source="chain")))


def tensor_index(m, name: str) -> int:
    return [t.name.decode() for t in m.subgraphs[0].tensors].index(name)


def op_options(m, k: int = 0):
    return m.subgraphs[0].operators[k].builtinOptions


def set_options(value, **fields):
    def change(m):
        for key, v in fields.items():
            setattr(op_options(m), key, v)
    return edit(value, change)


# ---------------------------------------------------------------- names are data
def _renamed(model: bytes, names: dict[str, str]) -> bytes:
    def change(m):
        idx = {name: tensor_index(m, name) for name in names}
        for old, new in names.items():
            m.subgraphs[0].tensors[idx[old]].name = new.encode()
    return edit(model, change)


def test_names_shaped_like_deduplicated_ones_compile_equal_to_tflm(tmp_path, capsys):
    model = fc_chain_int8()
    m = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    b1, b2 = tensor_index(m, "b1"), tensor_index(m, "b2")
    lo, hi = sorted((b1, b2))                  # tensor `hi` named like `lo`'s de-duplicated name would be
    a = next(i for i in range(hi) if i != lo)
    names = [t.name.decode() for t in m.subgraphs[0].tensors]
    hostile = _renamed(model, {names[a]: "n", names[lo]: f"n#{hi}", names[hi]: "n"})
    g = load_tflite(Path("hostile.tflite"), hostile)
    assert len(set(g.tensors)) == len(m.subgraphs[0].tensors)
    fc = {n.name.split(":")[0]: n for n in g.nodes}
    biases = {tuple(g.tensors[n.inputs[2]].data) for n in fc.values()}
    assert len(biases) == 3                    # each layer reads its own bias
    x = [np.arange(-128, 128, dtype=np.int8).reshape(256, 1, 1)[k] for k in range(0, 256, 5)]
    for xi in x:
        assert_matches_tflm(hostile, inputs=[xi])
    assert_matches_tflm(hostile, samples=2, c=True)
    status, err = compile_cli(tmp_path, hostile, capsys)
    assert status == 0, err


@pytest.mark.parametrize("names", [
    {"b1": "t", "b2": "t", "w1": "t", "w2": "t", "h1": "t", "h2": "t", "x": "t", "y": "t"},   # all the same
    {"b1": "x#1", "b2": "x", "x": "x", "w1": "x#1#1", "w2": "x#2"},                          # every shape
    {"b1": "tensor_5", "b2": "", "w2": "", "w1": "tensor_3"},                                 # unnamed ones too
])
def test_repeated_names_compile_equal_to_tflm(names):
    model = _renamed(fc_chain_int8(), names)
    g = assert_matches_tflm(model, samples=2, c=True)
    assert len(g.tensors) == 10


def test_invented_names_never_replace_a_model_tensor():
    """Float model whose tensors are named like the ones quantisation invents: quantised with
    calibration, written, it equals TFLM (no tensor was replaced by an invented one)."""
    rng = np.random.default_rng(7)
    t = {"x": Tensor("x", (1, 8), "float32"),
         "w": Tensor("w", (6, 8), "float32", data=rng.normal(0, 0.5, (6, 8)).astype(np.float32)),
         "b": Tensor("b", (6,), "float32", data=rng.normal(0, 0.2, 6).astype(np.float32)),
         "x/int8": Tensor("x/int8", (), "float32"), "w/int8": Tensor("w/int8", (), "float32"),
         "b/int32": Tensor("b/int32", (), "float32")}
    nodes = [Node("fc", "fully_connected", ["x", "w", "b"], ["x/int8"]),
             Node("t", "tanh", ["x/int8"], ["w/int8"]),
             Node("l", "logistic", ["w/int8"], ["b/int32"])]
    g = validate(Graph("names", t, nodes, ["x"], ["b/int32"], source="names"))
    cal = [[rng.normal(0, 1, (1, 8)).astype(np.float32)] for _ in range(16)]
    gq = Sequential(QuantizeInt8(calibrate(g, cal), io="float")).run(copy.deepcopy(g))
    assert len(gq.tensors) == len({id(v) for v in gq.tensors.values()})
    assert_matches_tflm(write_tflite(gq), samples=3, c=True, float_tol=1e-6)


# ---------------------------------------------------------------- options against enums and shapes
@pytest.mark.parametrize("mult", [0, 2, -64])
def test_depth_multiplier_inconsistent_with_shapes_is_refused(tmp_path, capsys, mult):
    model = set_options(conv_model("depthwise_conv_2d"), depthMultiplier=mult)
    assert_refused(tmp_path, model, capsys, f"depth multiplier {mult}", "4 channels", "DEPTHWISE_CONV_2D", "op0:y")


def test_consistent_depth_multiplier_compiles_equal_to_tflm():
    assert_matches_tflm(conv_model("depthwise_conv_2d", cin=2, mult=3), samples=2, c=True)


@pytest.mark.parametrize("builtin", ["conv_2d", "depthwise_conv_2d", "average_pool_2d", "max_pool_2d"])
def test_missing_or_foreign_options_table_is_refused(tmp_path, capsys, builtin):
    model = conv_model(builtin) if "conv" in builtin else pool_model(builtin)

    def drop(m):
        m.subgraphs[0].operators[0].builtinOptionsType = 0
        m.subgraphs[0].operators[0].builtinOptions = None
    assert_refused(tmp_path, edit(model, drop), capsys, "no options table", builtin.upper(), "corrupted")

    def foreign(m):                # a table of another operator: TFLM reads it as absent
        op = m.subgraphs[0].operators[0]
        if "pool" in builtin:
            op.builtinOptionsType, op.builtinOptions = schema.BuiltinOptions.Conv2DOptions, schema.Conv2DOptionsT()
        else:
            op.builtinOptionsType, op.builtinOptions = schema.BuiltinOptions.Pool2DOptions, schema.Pool2DOptionsT()
            op.builtinOptions.strideW = op.builtinOptions.strideH = 1
    assert_refused(tmp_path, edit(model, foreign), capsys, "Options (", "table")


def test_absent_options_read_as_tflm_reads_them(tmp_path, capsys):
    """FULLY_CONNECTED and ADD without a table: no activation (equal to TFLM); SOFTMAX without
    one: beta 0, which TFLM's softmax cannot run (its Prepare aborts on int8): refused, naming it."""
    def drop(m):
        for op in m.subgraphs[0].operators:
            op.builtinOptionsType, op.builtinOptions = 0, None
    fc = single_op("fully_connected", [act("x", (1, 8), "int8", q(0.05, 3)),
                                       const("w", rng_int8(np.random.default_rng(1), (3, 8)), q(0.01)),
                                       const("b", np.array([5, -900, 40], np.int32), q(0.0005))],
                   act("y", (), "int8", q(0.02, -100)), {"activation": "relu"})
    assert_matches_tflm(edit(fc, drop), samples=3, c=True)
    add = single_op("add", [act("a", (1, 4, 3), "int8", q(0.05, 3)), act("b", (1, 4, 3), "int8", q(0.03, -7))],
                    act("y", (), "int8", q(0.06, -20)), {"activation": "relu6"})
    assert_matches_tflm(edit(add, drop), samples=3, c=True)
    softmax = single_op("softmax", [act("x", (1, 10), "int8", q(0.1, 3))], act("y", (), "int8", q(1 / 256, -128)),
                        {"beta": 2.0})
    assert_matches_tflm(softmax, samples=2)
    assert_refused(tmp_path, edit(softmax, drop), capsys, "beta 0.0", "op softmax")


@pytest.mark.parametrize("field,value,needle", [
    ("padding", 7, "padding 7"), ("padding", -1, "padding -1"),
    ("fusedActivationFunction", 4, "fused activation TANH (4)"),
    ("fusedActivationFunction", 5, "fused activation SIGN_BIT (5)"),
    ("fusedActivationFunction", 100, "fused activation 100"),
    ("strideW", 0, "strides (1, 0)"), ("strideH", -3, "strides (-3, 1)"), ("strideH", 1 << 20, "strides (1048576, 1)"),
    ("dilationHFactor", 0, "dilations (0, 1)"), ("dilationWFactor", -2, "dilations (1, -2)"),
])
def test_conv_options_outside_their_range_are_refused(tmp_path, capsys, field, value, needle):
    assert_refused(tmp_path, set_options(conv_model(), **{field: value}), capsys, needle, "CONV_2D", "op0:y")


@pytest.mark.parametrize("field,value,needle", [
    ("filterWidth", 0, "window (2, 0)"), ("filterHeight", -1, "window (-1, 2)"), ("strideW", 0, "strides (2, 0)"),
    ("padding", 2, "padding 2"), ("fusedActivationFunction", 4, "TANH (4)"),
])
def test_pool_options_outside_their_range_are_refused(tmp_path, capsys, field, value, needle):
    assert_refused(tmp_path, set_options(pool_model("max_pool_2d"), **{field: value}), capsys, needle, "MAX_POOL_2D")


def test_shuffled_fully_connected_weights_are_refused(tmp_path, capsys):
    fc = single_op("fully_connected", [act("x", (1, 16), "int8", q(0.05, 3)),
                                       const("w", rng_int8(np.random.default_rng(1), (4, 16)), q(0.01))],
                   act("y", (), "int8", q(0.02, -100)))
    assert_refused(tmp_path, set_options(fc, weightsFormat=1), capsys, "SHUFFLED4x16INT8 (1)", "FULLY_CONNECTED")


# ---------------------------------------------------------------- bias dtypes
def _retype(model: bytes, name: str, type_code: int, data: np.ndarray) -> bytes:
    def change(m):
        t = m.subgraphs[0].tensors[tensor_index(m, name)]
        t.type = type_code
        buf = m.buffers[t.buffer]
        buf.data, buf.offset, buf.size = np.frombuffer(data.tobytes(), np.uint8), 0, 0
    return edit(model, change)


@pytest.mark.parametrize("builtin", ["conv_2d", "depthwise_conv_2d"])
def test_int8_bias_of_an_int8_layer_is_refused(tmp_path, capsys, builtin):
    model = _retype(conv_model(builtin), "b", schema.TensorType.INT8, np.arange(4 if "depth" in builtin else 5,
                                                                                  dtype=np.int8))
    assert_refused(tmp_path, model, capsys, "bias 'b' is int8", "needs int32 biases", "op0:y")


def test_int32_bias_of_a_16x8_layer_is_refused(tmp_path, capsys):
    """TFLM's 16x8 kernels with an int32 bias round differently from its int64 path: refused."""
    rng = np.random.default_rng(2)
    fc = single_op("fully_connected", [act("x", (1, 16), "int16", q(0.01)),
                                       const("w", rng_int8(rng, (4, 16)), q(0.02)),
                                       const("b", rng.integers(-3000, 3000, 4).astype(np.int64), q(0.0002))],
                   act("y", (), "int16", q(0.05)))
    assert_matches_tflm(fc, samples=2)          # the int64 bias the spec gives: accepted, equal
    model = _retype(fc, "b", schema.TensorType.INT32, np.array([1, 2, 3, 4], np.int32))
    assert_refused(tmp_path, model, capsys, "bias 'b' is int32", "int64")


def test_float_layer_with_integer_bias_is_refused(tmp_path, capsys):
    rng = np.random.default_rng(2)
    fc = single_op("fully_connected", [act("x", (1, 6), "float32"),
                                       const("w", rng.normal(size=(4, 6)).astype(np.float32)),
                                       const("b", rng.normal(size=4).astype(np.float32))], act("y", (), "float32"))
    model = _retype(fc, "b", schema.TensorType.INT32, np.array([1, 2, 3, 4], np.int32))
    assert_refused(tmp_path, model, capsys, "bias 'b' is int32", "float32")


# ---------------------------------------------------------------- subgraph and operator edges
def _two_input_add() -> bytes:
    return single_op("add", [act("a", (1, 4), "int8", q(0.05, 3)), act("b", (1, 4), "int8", q(0.03, -7))],
                     act("y", (), "int8", q(0.06, -20)))


def test_subgraph_input_or_output_listed_twice_is_refused(tmp_path, capsys):
    def inputs_twice(m):
        sg = m.subgraphs[0]
        sg.inputs = np.array([sg.inputs[0], sg.inputs[1], sg.inputs[0]], np.int32)
    assert_refused(tmp_path, edit(_two_input_add(), inputs_twice), capsys, "model input 'a' is listed twice")

    def outputs_twice(m):
        sg = m.subgraphs[0]
        sg.outputs = np.array([sg.outputs[0], sg.outputs[0]], np.int32)
    assert_refused(tmp_path, edit(_two_input_add(), outputs_twice), capsys, "model output 'y' is listed twice")


def test_constant_model_input_is_refused(tmp_path, capsys):
    def constant_input(m):
        buf = schema.BufferT()
        buf.data = np.arange(4, dtype=np.uint8)
        m.buffers.append(buf)
        m.subgraphs[0].tensors[tensor_index(m, "b")].buffer = len(m.buffers) - 1
    assert_refused(tmp_path, edit(_two_input_add(), constant_input), capsys, "model input 'b' is a constant")


def test_input_that_is_also_an_output_is_refused(tmp_path, capsys):
    def also_output(m):
        sg = m.subgraphs[0]
        sg.outputs = np.array([sg.outputs[0], tensor_index(m, "a")], np.int32)
    assert_refused(tmp_path, edit(_two_input_add(), also_output), capsys, "model input 'a' is also a model output")


@pytest.mark.parametrize("where,index,needle", [
    ("inputs", 99, "input #1 refers to tensor 99"), ("inputs", -5, "input #1 refers to tensor -5"),
    ("outputs", 42, "output #0 refers to tensor 42"), ("outputs", -1, "output #0 refers to tensor -1"),
    ("subgraph_inputs", 7, "subgraph input #1 refers to tensor 7"),
    ("subgraph_outputs", -1, "subgraph output #0 refers to tensor -1"),
])
def test_tensor_indices_out_of_range_are_refused(tmp_path, capsys, where, index, needle):
    def change(m):
        sg = m.subgraphs[0]
        if where.startswith("subgraph_"):
            vec = sg.inputs if where == "subgraph_inputs" else sg.outputs
            vec[1 if where == "subgraph_inputs" else 0] = index
        else:
            vec = getattr(sg.operators[0], where)
            vec[1 if where == "inputs" else 0] = index
    assert_refused(tmp_path, edit(_two_input_add(), change), capsys, needle)


# ---------------------------------------------------------------- every problem at once, dtype names
def test_all_unsupported_operators_are_one_error(tmp_path, capsys):
    x = Tensor("x", (1, 8), "float32")
    t = {"x": x, **{n: Tensor(n, (), "float32") for n in ("r1", "r2", "s", "r3")}}
    nodes = [Node("a", "relu", ["x"], ["r1"]), Node("b", "logistic", ["r1"], ["s"]),
             Node("c", "relu", ["s"], ["r2"]), Node("d", "relu", ["r2"], ["r3"])]
    model = write_tflite(validate(Graph("ops", t, nodes, ["x"], ["r3"], source="ops")))

    def unsupported(m):
        for code in m.operatorCodes:
            new = {schema.BuiltinOperator.RELU: "GELU", schema.BuiltinOperator.LOGISTIC: "BITCAST"}[code.builtinCode]
            code.builtinCode, code.deprecatedBuiltinCode = getattr(schema.BuiltinOperator, new), 127  # > 127
    err = assert_refused(tmp_path, edit(model, unsupported), capsys, "TFLite operators not supported",
                         "GELU x3 (first: op0:r1)", "BITCAST x1 (first: op1:s)", "supported:", "CONV_2D")
    assert err.count("not supported") == 1


def test_unsupported_dtype_is_named(tmp_path, capsys):
    def uint32(m):
        m.subgraphs[0].tensors[tensor_index(m, "a")].type = schema.TensorType.FLOAT16
    assert_refused(tmp_path, edit(_two_input_add(), uint32), capsys,
                   "element type not supported: FLOAT16 x1 (first: tensor 'a')", "supported element types: FLOAT32")


def test_unsupported_operators_and_dtypes_are_one_error(tmp_path, capsys):
    def both(m):
        m.subgraphs[0].tensors[tensor_index(m, "a")].type = schema.TensorType.FLOAT16
        m.subgraphs[0].tensors[tensor_index(m, "b")].type = schema.TensorType.FLOAT64
        for code in m.operatorCodes:
            code.builtinCode, code.deprecatedBuiltinCode = schema.BuiltinOperator.GELU, 127
    err = assert_refused(tmp_path, edit(_two_input_add(), both), capsys, "TFLite operator not supported: GELU x1",
                         "element types not supported: FLOAT16 x1 (first: tensor 'a'), FLOAT64 x1 (first: tensor 'b')")
    assert err.count("not supported") == 2 and "(10)" not in err


# ---------------------------------------------------------------- the same tensor twice, quantised
def test_concat_of_the_same_tensor_twice_quantises_and_equals_tflm(tmp_path, capsys):
    rng = np.random.default_rng(11)
    t = {"x": Tensor("x", (1, 6), "float32"), "h": Tensor("h", (), "float32"), "y": Tensor("y", (), "float32")}
    nodes = [Node("tanh", "tanh", ["x"], ["h"]), Node("cat", "concatenation", ["h", "h"], ["y"], {"axis": 1})]
    g = validate(Graph("twice", t, nodes, ["x"], ["y"], source="twice"))
    float_model = write_tflite(g)
    samples = rng.uniform(-3, 3, (16, 1, 6)).astype(np.float32)
    np.savez(tmp_path / "cal.npz", x=samples)
    status, err = compile_cli(tmp_path, float_model, capsys, "--calibration", tmp_path / "cal.npz")
    assert status == 0, err
    for io in ("float", "int8"):
        gf = load_tflite(Path("twice.tflite"), float_model)
        gq = Sequential(QuantizeInt8(calibrate(gf, [[s] for s in samples]), io=io)).run(gf)
        requantize = [n for n in gq.nodes if n.op == "quantize" and n.outputs[0] not in gq.outputs]
        cat = next(n for n in gq.nodes if n.op == "concatenation")
        assert cat.inputs[0] == cat.inputs[1]                # one requantised copy, read twice
        assert len(requantize) == (2 if io == "float" else 1)
        assert_matches_tflm(write_tflite(gq), samples=3, c=True, float_tol=1e-6)


def test_onnx_names_shaped_like_invented_ones_compile_equal_to_onnxruntime(tmp_path):
    """An ONNX model naming its tensors like the importer's transposes and folded constants
    (`x/nhwc`, `x/nhwc#1`, `bn#1`, ...): every tensor stays its own (was: refused, 'written twice')."""
    onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from onnx import TensorProto, helper, numpy_helper

    from tinycc.core import interpreter
    from tinycc.plugins.importers.onnx import load_onnx
    rng = np.random.default_rng(4)

    def init(name, arr):
        return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)
    inits = [init("x/nhwc#2", rng.normal(0, 0.5, (4, 3, 3, 3))), init("bn", rng.normal(0, 0.1, 4)),
             init("g", rng.uniform(0.5, 1.5, 4)), init("m", rng.normal(0, 0.1, 4)), init("v", rng.uniform(0.5, 1.5, 4))]
    nodes = [helper.make_node("Conv", ["x", "x/nhwc#2", "bn"], ["x/nhwc"], name="x", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["x/nhwc"], ["x/nhwc#1"], name="x/nhwc"),
             helper.make_node("BatchNormalization", ["x/nhwc#1", "g", "bn", "m", "v"], ["bn#1"], name="bn"),
             helper.make_node("Relu", ["bn#1"], ["y/nhwc#1"], name="bn#1")]
    graph = helper.make_graph(nodes, "names", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 6])],
                              [helper.make_tensor_value_info("y/nhwc#1", TensorProto.FLOAT, [1, 4, 6, 6])], inits)
    path = tmp_path / "names.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    g = load_onnx(path)
    session = ort.InferenceSession(str(path))
    for _ in range(3):
        x = rng.normal(size=(1, 3, 6, 6)).astype(np.float32)
        np.testing.assert_allclose(interpreter.run(g, [x])[0], session.run(None, {"x": x})[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("attrs,needle", [
    ({"strides": (1, 1 << 17)}, "strides (1, 131072)"), ({"dilations": (0, 1)}, "dilations (0, 1)"),
    ({"pads": (0, -1, 0, 0)}, "pads (0, -1, 0, 0)"), ({"strides": (1.5, 1)}, "strides (1.5, 1)"),
    ({"activation": "tanh"}, "fused activation 'tanh'"),
])
def test_window_attributes_are_checked_for_every_importer(attrs, needle):
    """A core graph (what the ONNX, Keras and PyTorch importers build) with window attributes out of range."""
    from tinycc.core.errors import TinyccError
    rng = np.random.default_rng(0)
    t = {"x": Tensor("x", (1, 6, 6, 2), "float32"), "y": Tensor("y", (), "float32"),
         "w": Tensor("w", (3, 3, 3, 2), "float32", data=rng.normal(size=(3, 3, 3, 2)).astype(np.float32))}
    g = Graph("w", t, [Node("conv", "conv_2d", ["x", "w"], ["y"], attrs)], ["x"], ["y"], source="w")
    with pytest.raises(TinyccError) as err:
        validate(g)
    assert needle in str(err.value) and "conv" in str(err.value)


def test_onnx_input_dtype_is_named(tmp_path, capsys):
    onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "u32",
                              [helper.make_tensor_value_info("x", TensorProto.UINT32, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT32, [1, 4])])
    path = tmp_path / "u32.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    assert main(["compile", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "input 'x' has ONNX element type UINT32 (12)" in err, err


# ---------------------------------------------------------------- quantisation without zero points, FC bias type
def _relu_int8() -> bytes:
    return single_op("relu", [act("x", (1, 8), "int8", q(0.05, 3))], act("y", (), "int8", q(0.05, 3)))


@pytest.mark.parametrize("name", ["x", "y"])
def test_scales_without_zero_points_are_refused(tmp_path, capsys, name):
    """TFLM reads a tensor with scales but no zero points as not quantised (scale 0): its kernels
    refuse or compute with scale 0; tinycc used zero point 0 and differed. Refused, like 3 scales
    with 1 zero point."""
    def no_zero_points(m):
        m.subgraphs[0].tensors[tensor_index(m, name)].quantization.zeroPoint = None
    assert_refused(tmp_path, edit(_relu_int8(), no_zero_points), capsys,
                   f"tensor {name!r} has 1 scales but 0 zero points", "not quantised")
    assert_matches_tflm(_relu_int8(), samples=2)


def test_float_tensor_with_scales_but_no_zero_points_is_float(tmp_path, capsys):
    """A float tensor TFLM reads as not quantised: tinycc reads it alike and compiles."""
    relu = single_op("relu", [act("x", (1, 8), "float32")], act("y", (), "float32"))

    def scales_only(m):
        qp = schema.QuantizationParametersT()
        qp.scale = np.array([0.5], np.float32)
        m.subgraphs[0].tensors[tensor_index(m, "x")].quantization = qp
    model = edit(relu, scales_only)
    assert load_tflite(Path("f.tflite"), model).tensors["x"].quant is None
    assert_matches_tflm(model, samples=2, c=True)


@pytest.mark.parametrize("value", [100, -1, 127])
def test_unknown_quantized_bias_type_is_refused(tmp_path, capsys, value):
    fc = single_op("fully_connected", [act("x", (1, 8), "int8", q(0.05, 3)),
                                       const("w", rng_int8(np.random.default_rng(1), (3, 8)), q(0.01)),
                                       const("b", np.array([5, -900, 40], np.int32), q(0.0005))],
                   act("y", (), "int8", q(0.02, -100)))
    assert_refused(tmp_path, set_options(fc, quantizedBiasType=value), capsys,
                   f"quantized bias type {value} is not a TFLite tensor type", "FULLY_CONNECTED")
    assert_matches_tflm(set_options(fc, quantizedBiasType=schema.TensorType.INT32), samples=2)
    assert_refused(tmp_path, set_options(conv_model(), quantizedBiasType=value), capsys,
                   f"quantized bias type {value} is not a TFLite tensor type", "CONV_2D")


# ---------------------------------------------------------------- declared output shapes
@pytest.mark.parametrize("shape", [(1, 0), (2, 0, 4), (0,), (1, 9)])
def test_declared_output_shape_disagreeing_with_the_op_is_refused(tmp_path, capsys, shape):
    """TFLM refuses to allocate an output declared `[5, 0, 5]`; tinycc inferred the shape and
    ignored the file's (it skipped the comparison for empty declared shapes)."""
    def declare(m):
        m.subgraphs[0].tensors[tensor_index(m, "y")].shape = np.array(shape, np.int32)
    assert_refused(tmp_path, edit(_relu_int8(), declare), capsys,
                   f"output 'y' is declared {shape} but the op computes (1, 8)", "op relu", "op0:y")


def test_output_shape_omitted_in_the_file_is_inferred(tmp_path, capsys):
    """Converters sometimes write `[]` for an output's shape: inferred, compiled."""
    def omit(m):
        m.subgraphs[0].tensors[tensor_index(m, "y")].shape = np.array([], np.int32)
    model = edit(_relu_int8(), omit)
    assert load_tflite(Path("o.tflite"), model).tensors["y"].shape == (1, 8)
    status, err = compile_cli(tmp_path, model, capsys)
    assert status == 0, err


# ---------------------------------------------------------------- dtype combinations per operator
T = schema.TensorType


def _retyped_edge(op: str, dtype: str, where: str, type_code: int) -> bytes:
    """tests/ops' seed model of `op` in `dtype` with its first model input or its output retyped
    (quantisation parameters kept): an activation whose dtype disagrees with the op's other tensors."""
    from tests.ops.cases import CASES

    def change(m):
        sg = m.subgraphs[0]
        sg.tensors[int((sg.inputs if where == "in" else sg.outputs)[0])].type = type_code
    return edit(CASES[op](np.random.default_rng(0), dtype), change)


@pytest.mark.parametrize("op,dtype,where,type_code,have,supported", [
    ("relu", "float32", "out", T.INT64, "float32 -> 'y' int64", "float32 -> float32"),        # was: -Werror
    ("softmax", "float32", "out", T.UINT8, "float32 -> 'y' uint8", "int8 -> int16"),
    ("logistic", "float32", "out", T.BOOL, "float32 -> 'y' bool", "int8 -> int8"),
    ("leaky_relu", "int16", "out", T.INT8, "int16 -> 'y' int8", "int16 -> int16"),
    ("average_pool_2d", "int8", "out", T.INT16, "int8 -> 'y' int16", "int8 -> int8"),
    ("add", "int16", "out", T.INT8, "int16 -> 'y' int8", "int16, int16 -> int16"),
    ("mul", "float32", "out", T.INT32, "float32 -> 'y' int32", "float32, float32 -> float32"),
    ("fully_connected", "float32", "out", T.INT32, "float32 -> 'y' int32", "float32, float32, float32 -> float32"),
    ("pad", "int8", "in", T.FLOAT32, "float32 -> 'y' int8", "int8 -> int8"),                  # was: C != reference
    ("transpose", "int8", "in", T.FLOAT32, "float32 -> 'y' int8", "int8 -> int8"),
    ("strided_slice", "float32", "out", T.INT32, "float32 -> 'y' int32", "int32 -> int32"),  # was: float bits
    ("concatenation", "float32", "out", T.INT64, "-> 'y' int64", "float32 -> float32"),      # was: exit 3
    ("max_pool_2d", "float32", "out", T.BOOL, "float32 -> 'y' bool", "int16 -> int16"),
])
def test_unsupported_dtype_combinations_are_refused(tmp_path, capsys, op, dtype, where, type_code, have, supported):
    """Every op declares the dtype combinations TFLM's kernel runs (core/ops/<op>.py SIGNATURES):
    any other is refused before a kernel or the C compiler meets it, naming tensors and dtypes."""
    err = assert_refused(tmp_path, _retyped_edge(op, dtype, where, type_code), capsys, have, supported,
                         f"are not a combination {op} supports", "op0:")
    assert "-> output): " in err                  # the hint names the roles of the signatures


@pytest.mark.parametrize("op,dtype", [("softmax", "int8"), ("quantize", "int16"), ("quantize", "int8")])
def test_mixed_dtype_combinations_tflm_runs_still_compile(tmp_path, capsys, op, dtype):
    """The legitimate mixed signatures (int8 softmax -> int16, requantising int8 <-> int16) stay accepted."""
    from tests.ops.cases import CASES
    rng = np.random.default_rng(1)
    if op == "softmax":
        model = single_op("softmax", [act("x", (1, 10), "int8", q(0.1, 3))],
                          act("y", (), "int16", q(1 / 65536, -32768)),
                          {"beta": 1.0})
    else:
        model = CASES[op](rng, dtype)
    assert_matches_tflm(model, samples=2, c=True)


def test_dtype_combinations_are_checked_for_every_importer():
    """A core graph (what the ONNX, Keras and PyTorch importers build) with a float transpose writing int32."""
    from tinycc.core.errors import TinyccError
    t = {"x": Tensor("x", (1, 2, 3), "float32"), "y": Tensor("y", (), "int32")}
    g = Graph("t", t, [Node("tr", "transpose", ["x"], ["y"], {"perm": (0, 2, 1)})], ["x"], ["y"], source="t")
    with pytest.raises(TinyccError) as err:
        validate(g)
    assert "'x' float32 -> 'y' int32" in str(err.value) and "tr" in str(err.value), str(err.value)

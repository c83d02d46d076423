"""Operator descriptors (core/ops/<op>.py): the protocol's attributes, trait queries, and TFLite
codecs that name real TFLite schema entries and survive a write -> read round trip."""
from __future__ import annotations

import numpy as np
import pytest

from tinycc.core import ops
from tinycc.core.graph import Graph, Node, Quant, Tensor
from tinycc.core.ops import protocol

pytest.importorskip("tflite_micro", reason="the TFLite schema comes with tflite-micro")

from tinycc.backends.tflm.flatbuffer import write_tflite  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    return s


@pytest.mark.parametrize("name", ops.supported())
def test_every_op_module_has_the_protocol_attributes(name):
    op = ops.get(name)
    assert op.NAME == name
    for attr in protocol.OperatorModule.__annotations__:
        assert hasattr(op, attr), f"{name} lacks {attr}"
    for fn in ("infer", "prepare", "run"):
        assert callable(getattr(op, fn))


def test_trait_defaults_and_unknown_names():
    assert ops.trait("no_such_op", "elementwise") is False
    assert ops.trait("reshape", "weight_quant_axis") is None
    with pytest.raises(KeyError):
        ops.trait("add", "no_such_trait")


def test_stateful_ops_are_ordered():
    # an op that keeps kernel state across invokes (initial_state) must never be folded as a constant
    # nor dropped as dead: its output depends on earlier invokes, and folding would run it stateless
    stateful = [name for name in ops.supported() if hasattr(ops.get(name), "initial_state")]
    assert {"circular_buffer", "signal_delay", "signal_framer", "signal_stacker"} <= set(stateful)
    assert [name for name in stateful if not ops.trait(name, "ordered")] == []


def test_traits_match_the_tflite_quantisation_spec():
    # TFLite's quantisation spec: LOGISTIC / SOFTMAX int8 outputs are 1/256 with zero point -128,
    # TANH 1/128 with 0; conv filters per output channel (axis 0), depthwise on axis 3
    assert ops.trait("logistic", "fixed_output_quant") == (1.0 / 256, -128)
    assert ops.trait("softmax", "fixed_output_quant") == (1.0 / 256, -128)
    assert ops.trait("tanh", "fixed_output_quant") == (1.0 / 128, 0)
    assert ops.trait("conv_2d", "weight_quant_axis") == 0
    assert ops.trait("depthwise_conv_2d", "weight_quant_axis") == 3
    assert set(ops.having("fusable_activation")) <= set(ops.having("elementwise"))
    assert set(ops.having("value_preserving")) <= set(ops.having("shares_input_quant"))


@pytest.mark.parametrize("name", ops.supported())
def test_codec_names_exist_in_the_tflite_schema(name):
    s = _schema()
    codec = ops.tflite(name)
    assert codec is not None
    for builtin in (codec.builtin, *codec.also):
        assert isinstance(getattr(s.BuiltinOperator, builtin), int)
    if codec.options is not None:
        assert isinstance(getattr(s.BuiltinOptions, codec.options), int)
        assert callable(getattr(s, codec.options + "T"))


def _graph(op: str, x_shape, out_shape, attrs, extra=()) -> Graph:
    q = Quant(np.array([0.05], dtype=np.float32), np.array([3]))
    tensors = {"x": Tensor("x", x_shape, "int8", q), "y": Tensor("y", out_shape, "int8", q)}
    for t in extra:
        tensors[t.name] = t
    node = Node("n", op, ["x", *[t.name for t in extra]], ["y"], attrs)
    return Graph("g", tensors, [node], ["x"], ["y"])


CASES = [
    ("strided_slice", (1, 6, 5, 4), (1, 2, 5, 4),
     {"begin": (0, 1, 0, 0), "end": (1, 5, 5, 4), "strides": (1, 2, 1, 1), "begin_mask": 8, "end_mask": 0,
      "ellipsis_mask": 0, "new_axis_mask": 0, "shrink_axis_mask": 0, "offset": False}),
    ("pad", (1, 3, 3, 2), (1, 5, 4, 2), {"paddings": ((0, 0), (1, 1), (0, 1), (0, 0)), "value": 7}),
    ("transpose", (2, 3, 4), (4, 2, 3), {"perm": (2, 0, 1)}),
    ("mean", (1, 4, 4, 3), (1, 1, 1, 3), {"axes": (1, 2), "keep_dims": True}),
    ("max_pool_2d", (1, 5, 5, 2), (1, 3, 3, 2),
     {"kernel": (3, 3), "strides": (2, 2), "pads": (1, 1, 1, 1), "activation": "relu6"}),
    ("squeeze", (1, 3, 1, 2), (3, 2), {"axes": (0, -2)}),
    ("expand_dims", (3, 2), (3, 1, 2), {"axis": -2}),
    ("hard_swish", (2, 5), (2, 5), {}),
    ("resize_nearest_neighbor", (1, 3, 4, 2), (1, 5, 7, 2),
     {"size": (5, 7), "align_corners": True, "half_pixel_centers": True}),
    ("resize_bilinear", (1, 3, 4, 2), (1, 6, 2, 2),
     {"size": (6, 2), "align_corners": False, "half_pixel_centers": True}),
    ("sum", (2, 3, 4), (2, 1, 4), {"axes": (1,), "keep_dims": True}),
    ("reduce_max", (2, 3, 4), (2,), {"axes": (-1, 1), "keep_dims": False}),
    ("reduce_min", (2, 3, 4), (3, 4), {"axes": (0,), "keep_dims": False}),
    ("cumsum", (2, 3, 4), (2, 3, 4), {"axis": -2, "exclusive": True, "reverse": True}),
]


@pytest.mark.parametrize("op, x_shape, out_shape, attrs", CASES, ids=[c[0] for c in CASES])
def test_write_then_read_gives_the_same_node(tmp_path, op, x_shape, out_shape, attrs):
    g = _graph(op, x_shape, out_shape, attrs)
    path = tmp_path / "m.tflite"
    path.write_bytes(write_tflite(g))
    back = load_tflite(path)
    assert [n.op for n in back.nodes] == [op]
    node = back.nodes[0]
    for key, value in attrs.items():
        assert node.attrs[key] == value, key
    assert back.tensors[node.outputs[0]].shape == out_shape


def test_padv2_is_written_for_a_pad_value_and_read_back_as_pad(tmp_path):
    g = _graph("pad", (1, 2, 2, 1), (1, 4, 2, 1), {"paddings": ((0, 0), (1, 1), (0, 0), (0, 0)), "value": -5})
    data = write_tflite(g)
    s = _schema()
    m = s.Model.GetRootAs(data, 0)
    assert m.OperatorCodes(0).BuiltinCode() == s.BuiltinOperator.PADV2
    path = tmp_path / "m.tflite"
    path.write_bytes(data)
    node = load_tflite(path).nodes[0]
    assert (node.op, node.attrs["value"]) == ("pad", -5)

"""TRANSPOSE_CONV's TFLite codec: TFLite orders its operands (output shape, filter, input, bias),
the core (input, filter, bias); the writer and the importer convert, and a malformed operator is a
clear error."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.tflite_builder import act, const, single_op
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

pytest.importorskip("tflite_micro", reason="the TFLite schema comes with tflite-micro")


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    return s


def _model(attrs=None, bias=True):
    x = act("x", (1, 3, 4, 2), "float32")
    w = const("w", np.arange(5 * 3 * 2 * 2, dtype=np.float32).reshape(5, 3, 2, 2))
    b = const("b", np.ones(5, np.float32))
    a = {"output_shape": (1, 6, 8, 5), "strides": (2, 2), "padding": "same", "activation": "relu6", **(attrs or {})}
    return single_op("transpose_conv", [x, w, b] if bias else [x, w], act("y", (), "float32"), a)


@pytest.mark.parametrize("bias", [True, False])
def test_written_in_tflite_operand_order_and_read_back(bias):
    data = _model(bias=bias)
    s = _schema()
    sub = s.ModelT.InitFromPackedBuf(bytearray(data), 0).subgraphs[0]
    op = sub.operators[0]
    names = [sub.tensors[i].name.decode() for i in op.inputs]
    assert names[1:] == (["w", "x", "b"] if bias else ["w", "x"])
    shape = sub.tensors[op.inputs[0]]
    assert shape.type == s.TensorType.INT32 and shape.buffer > 0
    o = op.builtinOptions
    assert (o.strideH, o.strideW, o.padding, o.fusedActivationFunction) == (2, 2, s.Padding.SAME, 3)
    node = load_tflite(Path("m.tflite"), data).nodes[0]
    assert node.op == "transpose_conv"
    assert node.inputs == (["x", "w", "b"] if bias else ["x", "w"])
    assert node.attrs == {"output_shape": (1, 6, 8, 5), "strides": (2, 2), "padding": "same",
                          "activation": "relu6"}


def _rewrite(data: bytes, edit) -> bytes:
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(data), 0)
    edit(s, m)
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _set_shape(values):
    def edit(s, m):
        sub = m.subgraphs[0]
        t = sub.tensors[sub.operators[0].inputs[0]]
        m.buffers[t.buffer].data = np.frombuffer(np.asarray(values, np.int32).tobytes(), np.uint8)
        t.shape = np.array([len(values)], np.int32)
    return edit


@pytest.mark.parametrize("edit, words", [
    (_set_shape([1, 6, 8, 4]), ["4 channels", "filter 5"]),
    (_set_shape([2, 6, 8, 5]), ["batch 2"]),
    (_set_shape([1, 6, 8]), ["output shape", "4 values"]),
    (lambda s, m: setattr(m.subgraphs[0].operators[0].builtinOptions, "strideW", 0), ["strides", "(2, 0)"]),
    (lambda s, m: setattr(m.subgraphs[0].operators[0].builtinOptions, "padding", 7), ["padding", "7"]),
])
def test_malformed_operators_are_clear_errors(edit, words):
    with pytest.raises(TinyccError) as err:
        load_tflite(Path("m.tflite"), _rewrite(_model(), edit))
    text = err.value.render()
    assert "m.tflite" in text and ("TRANSPOSE_CONV" in text or "transpose_conv" in text), text
    for word in words:
        assert word in text, text


def test_output_shape_must_be_a_constant():
    def edit(s, m):
        sub = m.subgraphs[0]
        sub.tensors[sub.operators[0].inputs[0]].buffer = 0
    with pytest.raises(TinyccError) as err:
        load_tflite(Path("m.tflite"), _rewrite(_model(), edit))
    assert "output shape must be a constant" in err.value.render()

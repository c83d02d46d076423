"""Models tinycc cannot compile: every problem in one error, and the tflm backend's pass-through.

A well-formed model with operators or element types tinycc lacks is refused once, naming all of
them (counts, first node or tensor, dtypes by name). The tflm backend still ships it, untouched,
when TF Lite Micro runs it (an int8 DIV, whose TFLM result tinycc will not reproduce); a file TF
Lite Micro cannot run either is a clear error, not a crash. The tflm stub registers custom
operators (the micro_speech audio front end's `Signal*`).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.tflm import models_dir
from tinycc.cli import main
from tinycc.core.errors import Unsupported
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate

schema = pytest.importorskip("tflite_micro.tensorflow.lite.micro.python.schema_py_generated",
                             reason="the tflm backend and the TFLite schema ship with tflite-micro")


def audio_front_end(kind: str) -> Path:
    path = models_dir() / "tflm_examples" / f"audio_preprocessor_{kind}.tflite"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set TINYCC_MODELS to the shared models folder)")
    return path


def test_every_unsupported_dtype_combination_is_one_error():
    t = {n: Tensor(n, (1, 8), "int32") for n in ("x", "a", "b", "c")}
    nodes = [Node("n1", "relu", ["x"], ["a"]), Node("n2", "tanh", ["a"], ["b"]), Node("n3", "relu", ["b"], ["c"])]
    with pytest.raises(Unsupported) as err:
        validate(Graph("m", t, nodes, ["x"], ["c"], source="m.tflite"))
    text = err.value.render()
    assert "dtypes not supported: relu int32 -> int32 x2 (first: 'n1'" in text
    assert "tanh int32 -> int32 x1 (first: 'n2'" in text and "input dtype int32 is not supported" in text
    assert "m.tflite" in text and "relu supports int8 -> int8" in text and "tanh supports" in text


def int8_div() -> bytes:
    """An int8 DIV: TF Lite Micro runs it, but its result depends on shifts of 32 bits and more
    (undefined in C), so tinycc refuses to compile it: a model only the tflm backend can take."""
    from tests.ops.cases import unchecked_single_op
    from tests.tflite_builder import act, q
    return unchecked_single_op("div", [act("a", (1, 8), "int8", q(0.05, 3)), act("b", (1, 8), "int8", q(0.02, -4))],
                               act("y", (), "int8", q(0.5, 1)))


def test_c_refuses_what_tflm_runs_and_says_what(tmp_path, capsys):
    path = tmp_path / "div.tflite"
    path.write_bytes(int8_div())
    status = main(["compile", str(path), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err and not (tmp_path / "out").exists()
    assert "div.tflite" in err and "div" in err and "int8" in err and "supported" in err


def test_tflm_backend_ships_a_model_tinycc_cannot_compile_untouched(tmp_path, capsys):
    from tests.tflm import run_tflm
    from tinycc.backends.tflm.interpreter import measure_arena
    data = int8_div()
    path = tmp_path / "div.tflite"
    path.write_bytes(data)
    out = tmp_path / "out"
    assert main(["compile", str(path), "--backend", "tflm", "-o", str(out), "--name", "div"]) == 0
    printed = capsys.readouterr()
    note = printed.out + printed.err
    assert "shipped untouched" in note and "div at node 'op0:y': input dtype int8 is not supported" in note
    assert (out / "div.tflite").read_bytes() == data
    measured = measure_arena(data)["total"]
    header = (out / "div.h").read_text()
    arena = int(re.search(r"#define DIV_ARENA_BYTES (\d+)", header).group(1))
    assert measured < arena <= measured * 1.1 + 16
    assert "AddDiv()" in (out / "div_main.cc").read_text()
    rows = (out / "div_model_data.cc").read_text()
    assert len(re.findall(r"0x[0-9a-f]{2}", rows)) == len(data)
    x = [np.arange(-4, 4, dtype=np.int8).reshape(1, 8), np.full((1, 8), 7, np.int8)]
    assert run_tflm((out / "div.tflite").read_bytes(), x)[0].shape == (1, 8)      # TF Lite Micro runs it


@pytest.mark.parametrize("kind", ["int8", "float"])
def test_tflm_registers_the_audio_front_end_custom_operators(kind, tmp_path):
    path = audio_front_end(kind)
    out = tmp_path / "out"
    assert main(["compile", str(path), "--backend", "tflm", "-o", str(out), "--name", "frontend"]) == 0
    main_cc = (out / "frontend_main.cc").read_text()
    for op in ("Window", "Rfft", "Energy", "FilterBank", "FilterBankLog", "PCAN"):
        assert f'AddCustom("Signal{op}", tflite::tflm_signal::Register_' in main_cc, op
    assert "TFLMRegistration* Register_WINDOW();" in main_cc and "AddCast()" in main_cc
    count = int(re.search(r"MicroMutableOpResolver<(\d+)>", main_cc).group(1))
    assert count == main_cc.count("if (resolver.Add")


def test_a_model_tflm_cannot_run_either_is_a_clear_error(tmp_path, capsys):
    """GELU is in the TFLite schema but in neither tinycc nor TF Lite Micro: refused, no folder."""
    import flatbuffers

    from tests.tflite_builder import act, q, single_op
    model = single_op("relu", [act("x", (1, 4), "int8", q(0.1, 0))], act("y", (), "int8", q(0.1, 0)))
    m = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    for code in m.operatorCodes:
        code.builtinCode, code.deprecatedBuiltinCode = schema.BuiltinOperator.GELU, 127
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    path = tmp_path / "gelu.tflite"
    path.write_bytes(bytes(b.Output()))
    status = main(["compile", str(path), "--backend", "tflm", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err and not (tmp_path / "out").exists(), err
    assert "gelu.tflite" in err and "TF Lite Micro cannot run the model either" in err


def test_untouched_io_comes_from_the_flatbuffer(tmp_path):
    from tinycc.backends.tflm.untouched import io_graph
    path = audio_front_end("int8")      # a real model's inputs and outputs
    g = io_graph(path, path.read_bytes())
    m = schema.ModelT.InitFromPackedBuf(path.read_bytes(), 0)
    sg = m.subgraphs[0]
    assert [tuple(g.tensors[n].shape) for n in g.inputs] == [tuple(sg.tensors[i].shape) for i in sg.inputs]
    assert [tuple(g.tensors[n].shape) for n in g.outputs] == [tuple(sg.tensors[i].shape) for i in sg.outputs]
    assert not g.nodes and all(g.tensors[n].dtype in ("int16", "int8", "float32", "int32") for n in g.inputs)
    assert np.all([g.tensors[n].size > 0 for n in g.inputs + g.outputs])


def test_a_vela_model_says_it_is_for_the_ethos_u_npu(tmp_path, capsys):
    import flatbuffers

    from tests.tflite_builder import act, q, single_op
    model = single_op("relu", [act("x", (1, 4), "int8", q(0.1, 0))], act("y", (), "int8", q(0.1, 0)))
    m = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    for code in m.operatorCodes:
        code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
        code.customCode = "ethos-u"
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    path = tmp_path / "vela.tflite"
    path.write_bytes(bytes(b.Output()))
    status = main(["compile", str(path), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and "custom operator not supported: CUSTOM/ethos-u x1" in err
    assert "Arm Ethos-U NPU" in err and "before Vela" in err

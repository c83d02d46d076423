"""The `tflm` backend: flatbuffer writer, C array, firmware stub, measured arena, verification.

- Every shared model and ONNX/PyTorch/Keras-imported test models: the written flatbuffer
  (with tinycc's offline memory plan) runs in tflite_micro.runtime.Interpreter and equals
  tinycc's reference byte for byte (int8) or within 1e-4 (float).
- The stub's arena is >= TFLM's measured need and <= 1.1 x that + 16; with the offline plan
  TFLM's measured arena is not larger than without it.
- The generated .cc/.h pass `g++ -std=c++17 -fsyntax-only` against stand-in TFLM declarations
  written here, and the C array's bytes equal the flatbuffer.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.ops.check import random_inputs
from tests.tflm import SHARED_MODELS, models_dir, run_tflm, tflm_arena_bytes
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.backends.tflm.plugin import arena_with_margin, verify
from tinycc.boards import STACK_RESERVE_BYTES
from tinycc.core import interpreter, planner
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

MODELS = SHARED_MODELS
EXAMPLE = "examples/tiny_kws_int8.tflite"


def shared(rel):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    return path


def assert_tflm_equals_reference(g, model: bytes, seed=0, samples=2):
    rng = np.random.default_rng(seed)
    for _ in range(samples):
        xs = random_inputs(g, rng)
        ref = interpreter.run(g, xs)
        for e, o in zip(ref, run_tflm(model, xs)):
            o = np.asarray(o).reshape(e.shape)
            if e.dtype == np.float32:
                np.testing.assert_allclose(o, e, rtol=1e-4, atol=1e-4)
            else:
                np.testing.assert_array_equal(o, e)


def buffer_offsets(model: bytes) -> list[int]:
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    m = s.Model.GetRootAs(model, 0)
    offsets = []
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        if b.DataLength():
            offsets.append(b._tab.Vector(b._tab.Offset(4)))
    return offsets


@pytest.mark.parametrize("rel", MODELS)
def test_written_flatbuffer_runs_in_tflm_like_the_reference(rel):
    g = load_tflite(shared(rel))
    plan = planner.plan(g, io_in_arena=True)
    with_plan, without = write_tflite(g, plan.offsets), write_tflite(g)
    assert_tflm_equals_reference(g, with_plan)
    assert all(off % 16 == 0 for off in buffer_offsets(with_plan)), "weights must be 16-byte aligned"
    measured, online = tflm_arena_bytes(with_plan)["total"], tflm_arena_bytes(without)["total"]
    print(f"{rel}: TFLM arena {measured} with tinycc's offline plan, {online} without")
    assert measured <= online


def test_arena_margin_bounds():
    for measured in (1, 15, 16, 1504, 24272, 103680):
        a = arena_with_margin(measured)
        assert measured <= a <= 1.1 * measured + 16 and a % 16 == 0


def test_models_from_other_importers_run_in_tflm(tmp_path):
    onnx = pytest.importorskip("onnx")
    del onnx
    import copy

    from tests.test_onnx import small_cnn
    from tinycc.core.passes.calibrate import calibrate
    from tinycc.core.passes.quantize import QuantizeInt8
    from tinycc.core.validate import validate
    from tinycc.plugins.importers.onnx import load_onnx
    g = load_onnx(small_cnn(tmp_path / "small.onnx"))
    assert_tflm_equals_reference(g, write_tflite(g, planner.plan(g, io_in_arena=True).offsets))
    rng = np.random.default_rng(0)
    gq = validate(QuantizeInt8(calibrate(g, [[rng.normal(size=(1, 3, 16, 16)).astype(np.float32)]
                                             for _ in range(8)])).run(copy.deepcopy(g)))
    assert_tflm_equals_reference(gq, write_tflite(gq, planner.plan(gq, io_in_arena=True).offsets))
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxscript")
    from tests.test_torch import model as torch_model
    from tinycc.plugins.importers.torch import from_module
    gt = from_module(torch_model(), (torch.zeros(1, 1, 49, 10),))
    assert_tflm_equals_reference(gt, write_tflite(gt, planner.plan(gt, io_in_arena=True).offsets))


def test_keras_model_runs_in_tflm(tmp_path):
    pytest.importorskip("tensorflow")
    from tests.test_keras import small_cnn
    from tinycc.plugins.importers.keras import load_keras
    path = tmp_path / "k.keras"
    small_cnn().save(path)
    g = load_keras(path)
    assert_tflm_equals_reference(g, write_tflite(g, planner.plan(g, io_in_arena=True).offsets))


def test_verify_catches_a_mismatch():
    g = load_tflite(EXAMPLE)
    other = load_tflite(EXAMPLE)
    other.nodes[0].attrs["activation"] = "relu6"           # the reference now computes something else
    verify(g, write_tflite(g))
    with pytest.raises(TinyccError, match="verification failed"):
        verify(other, write_tflite(g))


STUB = """
#include <cstddef>
#include <cstdint>
typedef enum { kTfLiteOk = 0, kTfLiteError = 1 } TfLiteStatus;
#define TFLITE_SCHEMA_VERSION 3
void MicroPrintf(const char* format, ...);
struct TfLitePtrUnion { void* raw; };
struct TfLiteTensor { TfLitePtrUnion data; };
namespace tflite {
struct Model { uint32_t version() const; };
const Model* GetModel(const void* buf);
template <unsigned int N> class MicroMutableOpResolver {
 public:
  TfLiteStatus AddConv2D(); TfLiteStatus AddDepthwiseConv2D(); TfLiteStatus AddFullyConnected();
  TfLiteStatus AddAveragePool2D(); TfLiteStatus AddMaxPool2D(); TfLiteStatus AddAdd(); TfLiteStatus AddSub();
  TfLiteStatus AddMul(); TfLiteStatus AddReshape(); TfLiteStatus AddSoftmax(); TfLiteStatus AddLogistic();
  TfLiteStatus AddTanh(); TfLiteStatus AddRelu(); TfLiteStatus AddRelu6(); TfLiteStatus AddLeakyRelu();
  TfLiteStatus AddPad(); TfLiteStatus AddPadV2(); TfLiteStatus AddConcatenation(); TfLiteStatus AddMean();
  TfLiteStatus AddQuantize(); TfLiteStatus AddDequantize(); TfLiteStatus AddStridedSlice(); TfLiteStatus AddTranspose();
};
class MicroInterpreter {
 public:
  template <unsigned int N>
  MicroInterpreter(const Model* model, MicroMutableOpResolver<N>& resolver, uint8_t* arena, size_t arena_size);
  TfLiteStatus AllocateTensors();
  TfLiteStatus Invoke();
  TfLiteTensor* input(size_t index);
  TfLiteTensor* output(size_t index);
};
}  // namespace tflite
"""
STUB_HEADERS = ["tensorflow/lite/micro/micro_interpreter.h", "tensorflow/lite/micro/micro_log.h",
                "tensorflow/lite/micro/micro_mutable_op_resolver.h", "tensorflow/lite/schema/schema_generated.h"]


def tinycc(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", **(env or {})})


def c_array_bytes(cc: str) -> bytes:
    body = cc.split("= {", 1)[1].split("};", 1)[0]
    return bytes(int(h, 16) for h in re.findall(r"0x([0-9a-f]{2})", body))


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the syntax check")
def test_generated_sources_are_valid_cpp_and_the_array_is_the_flatbuffer(tmp_path):
    stub = tmp_path / "stub"
    for header in STUB_HEADERS:
        (stub / header).parent.mkdir(parents=True, exist_ok=True)
        (stub / header).write_text("#pragma once\n" + (STUB if header.endswith("micro_interpreter.h") else
                                                          '#include "tensorflow/lite/micro/micro_interpreter.h"\n'))
    out = tmp_path / "out"
    proc = tinycc("compile", EXAMPLE, "--backend", "tflm", "--name", "kws", "--board", "arduino-nano-33-ble",
                  "--verify", "-o", out, "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    for src in ("kws_model_data.cc", "kws_main.cc"):
        cc = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-I", str(stub),
                             "-I", str(out), str(out / src)], capture_output=True, text=True)
        assert cc.returncode == 0, cc.stderr
    # the Arduino IDE opens a sketch only in a folder of its name: out/kws/kws.ino, complete in itself
    sketch = out / "kws"
    assert sorted(p.name for p in sketch.iterdir()) == ["kws.h", "kws.ino", "kws_main.cc", "kws_model_data.cc",
                                                        "kws_model_data.h"]
    for fname in ("kws.h", "kws_main.cc", "kws_model_data.cc", "kws_model_data.h"):
        assert (sketch / fname).read_bytes() == (out / fname).read_bytes()
    (stub / "TensorFlowLite.h").write_text("#pragma once\n")
    ino = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror", "-x", "c++", "-include", "cstdint",
                          "-I", str(stub), "-I", str(sketch), "-"],
                         input=_arduino_shim() + (sketch / "kws.ino").read_text(), capture_output=True, text=True)
    assert ino.returncode == 0, ino.stderr
    assert not (out / "kws.ino").exists()
    # every I/O constant is in kws.h (the sketch sees it), with TFLM's own scale and zero point
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    flatbuffer = (out / "kws.tflite").read_bytes()
    m = schema.Model.GetRootAs(flatbuffer, 0)
    sub = m.Subgraphs(0)
    header = (out / "kws.h").read_text()
    for kind, index in (("INPUT", sub.Inputs(0)), ("OUTPUT", sub.Outputs(0))):
        t = sub.Tensors(index)
        q = t.Quantization()
        nbytes = int(np.prod(t.ShapeAsNumpy()))         # int8
        assert f"#define KWS_{kind}0_BYTES {nbytes}\n" in header
        assert f"#define KWS_{kind}0_ZERO_POINT {int(q.ZeroPoint(0))}\n" in header
        scale = float(re.search(rf"#define KWS_{kind}0_SCALE (\S+)f\n", header).group(1))
        assert np.float32(scale) == np.float32(q.Scale(0))
    main_cc = (out / "kws_main.cc").read_text()
    assert '#include "kws.h"' in main_cc and "Scale" not in main_cc and "ZeroPoint" not in main_cc
    assert c_array_bytes((out / "kws_model_data.cc").read_text()) == flatbuffer
    text = (out / "kws_model_data.cc").read_text()
    assert "alignas(16) const unsigned char kws_model[]" in text and f"kws_model_len = {len(flatbuffer)};" in text
    assert all(len(re.findall(r"0x", line)) <= 12 for line in text.splitlines())
    assert "#ifndef KWS_MODEL_DATA_H_" in (out / "kws_model_data.h").read_text()
    import json
    report = json.loads((tmp_path / "r.json").read_text())
    measured = tflm_arena_bytes(flatbuffer)["total"]
    assert report["tflm_measured_arena_bytes"] == measured
    assert measured <= report["arena_bytes"] <= 1.1 * measured + 16
    main = (out / "kws_main.cc").read_text()
    assert f"kKwsArenaBytes = {report['arena_bytes']};" in main and "AllOpsResolver" not in main
    assert f"MicroMutableOpResolver<{len(report['operators'])}>" in main
    for op in ("AddConv2D", "AddDepthwiseConv2D", "AddAveragePool2D", "AddReshape", "AddFullyConnected", "AddSoftmax"):
        assert f"resolver.{op}()" in main
    assert "AddMaxPool2D" not in main
    readme = (out / "README.md").read_text()
    assert f"{len(flatbuffer):,}" in readme and "Arduino Nano 33 BLE Sense" in readme
    assert (out / "library.properties").exists()


def _arduino_shim() -> str:
    """Just enough of the Arduino core to syntax-check the sketch."""
    return ("struct SerialT { void begin(int); explicit operator bool() const;\n"
            "  template <class T> void print(T); template <class T> void println(T); };\n"
            "static SerialT Serial;\nvoid delay(unsigned long);\nunsigned long micros();\n")


def test_keep_flatbuffer_ships_the_source_bytes(tmp_path):
    out = tmp_path / "out"
    assert tinycc("compile", EXAMPLE, "--backend", "tflm", "--keep-flatbuffer", "-o", out).returncode == 0
    with open(EXAMPLE, "rb") as f:
        assert c_array_bytes((out / "model_model_data.cc").read_text()) == f.read()


def test_board_and_keep_flatbuffer_errors(tmp_path):
    proc = tinycc("compile", EXAMPLE, "--backend", "tflm", "--board", "commodore-64", "-o", tmp_path / "o")
    assert proc.returncode == 2 and "unknown board" in proc.stderr and "arduino-nano-33-ble" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_board_comes_from_the_board_database(tmp_path):
    """--board takes any board of `tinycc targets` (and $TINYCC_BOARDS); the README budgets against
    it, and only boards with an Arduino core get a sketch."""
    import json
    extra = tmp_path / "boards.json"
    extra.write_text(json.dumps({"my-board": {"title": "My Board", "core": "cortex-m4", "clock_mhz": 64,
                                              "sram_kb": 32, "flash_kb": 128}}))
    for board, sketch, sram in (("pico2", True, 520 * 1024), ("max78000", False, 128 * 1024),
                                ("my-board", False, 32 * 1024)):
        out = tmp_path / board
        proc = tinycc("compile", EXAMPLE, "--backend", "tflm", "--name", "kws", "--board", board, "-o", out,
                      env={"TINYCC_BOARDS": str(extra)})
        assert proc.returncode == 0, proc.stderr
        assert (out / "kws" / "kws.ino").exists() == sketch and (out / "library.properties").exists() == sketch
        readme = (out / "README.md").read_text()
        arena = int(re.search(r"kKwsArenaBytes = (\d+)", (out / "kws_main.cc").read_text()).group(1))
        total = arena + STACK_RESERVE_BYTES              # inputs and outputs live in TFLM's arena
        assert STACK_RESERVE_BYTES == 8 * 1024
        assert f"**{total:,}** | {total / sram:.1%} of its {sram:,} B SRAM" in readme, readme

"""Keras preprocessing layers and keras.applications models through tinycc, float and int8.

- PTQ of MUL/ADD/SUB with a constant operand (Rescaling, Normalization: what every
  keras.applications model starts with): the constant becomes an int8 tensor of its own,
  asymmetric over [min, max] and 0, exactly the scale, zero point and values TensorFlow's own
  converter gives it; the quantised model, written as a .tflite by tinycc's writer, runs in TF Lite
  Micro equal to tinycc's reference and C byte for byte. A constant operand of an operator whose
  operands share one quantisation (MAXIMUM) is stored in that quantisation; one of an operator
  that is not elementwise arithmetic (BATCH_MATMUL) is still refused, a non-finite one is an error;
  in an int16 layer the constant is symmetric int16 (zero point 0), equal in TFLM too.
- keras.applications models (weights=None, classes=10, MCU resolution; BatchNormalization statistics
  and the classifier's bias set from structured images, see tests/keras_applications_models.py)
  compile: float C within 1e-4 of Keras (relative to the output's largest magnitude); int8 with
  calibration compiles, its C and TF Lite Micro (on it written by tinycc's writer) equal tinycc's
  reference byte for byte; float's top-1 takes >= 3 classes over 32 structured random images and
  int8 agrees with it on >= 90% of them, or on no fewer than TensorFlow's own full-integer PTQ of
  the same model with the same calibration images (run in TFLM) minus 2. int8 takes less arena
  and under a third of the weight flash. The fast model runs always, the others with
  TINYCC_SLOW_TESTS=1; benchmarks/keras_applications.py tables them all.
"""
from __future__ import annotations

import copy
import os

import numpy as np
import pytest

from tests.ptq_helpers import quantised
from tests.tflm import assert_reference_c_and_tflm_equal
from tinycc.core import interpreter
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes.calibrate import Ranges, calibrate
from tinycc.core.passes.quantize import QuantizeInt8
from tinycc.core.validate import validate

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _tf():
    return pytest.importorskip("tensorflow", reason="the keras extra is not installed (pip install 'tinycc-ml[keras]')")


def preprocessing_model(keras):
    """Rescaling (MUL and ADD by scalars), Normalization (SUB and MUL by per-channel constants), a conv."""
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(8, 8, 3))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inp)
    x = keras.layers.Normalization(mean=[0.1, -0.2, 0.3], variance=[1.0, 2.0, 4.0])(x)
    return keras.Model(inp, keras.layers.Conv2D(4, 3)(x))


def _const_operands(gq):
    """{float constant's name: (scale, zero point, int8 values)} of the quantised non-weight operands."""
    found = {}
    for node in gq.nodes:
        if node.op in ("mul", "add", "sub"):
            for name in node.inputs:
                t = gq.tensors[name]
                if t.is_const:
                    found[_layer_path(name.rsplit("/int8", 1)[0])] = (t.quant.s, t.quant.zp,
                                                                       t.data.reshape(-1).tolist())
    return found


def _layer_path(name):
    """A converted tensor's name without its outer model's (numbered) prefix: the same constant in two
    conversions ('functional_1_1/functional_1/rescaling_1/Cast_1', 'functional_2_1/functional_1/...')."""
    return ";".join(part.split("/", 1)[-1] for part in name.split(";"))


def test_rescaling_and_normalization_quantise_as_tensorflow_does_and_run_equal_in_tflm(tmp_path):
    tf = _tf()
    import keras

    from tinycc.plugins.importers.keras import load_keras
    model = preprocessing_model(keras)
    path = tmp_path / "pre.keras"
    model.save(path)
    g = load_keras(path)
    assert sorted(n.op for n in g.nodes) == ["add", "conv_2d", "mul", "mul", "sub"]
    rng = np.random.default_rng(0)
    cal = [[rng.uniform(0, 255, (1, 8, 8, 3)).astype(np.float32)] for _ in range(8)]
    gq = quantised(g, cal)
    ours = _const_operands(gq)
    assert len(ours) == 4

    ins = keras.Input(batch_shape=(1, 8, 8, 3))
    conv = tf.lite.TFLiteConverter.from_keras_model(keras.Model(ins, model(ins)))
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: iter(cal)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    theirs = tf.lite.Interpreter(model_content=conv.convert())
    checked = 0
    for d in theirs.get_tensor_details():
        if _layer_path(d["name"]) in ours:
            scale, zp, values = ours[_layer_path(d["name"])]
            q = d["quantization_parameters"]
            assert list(q["scales"]) == [np.float32(scale)] and list(q["zero_points"]) == [zp], d["name"]
            assert theirs.get_tensor(d["index"]).reshape(-1).tolist() == values, d["name"]
            checked += 1
    assert checked == 4, (sorted(ours), [d["name"] for d in theirs.get_tensor_details()])

    samples = [[rng.uniform(0, 255, (1, 8, 8, 3)).astype(np.float32)] for _ in range(4)]
    assert_reference_c_and_tflm_equal(gq, samples, tmp_path)
    for xs in samples:     # and the int8 model is close to Keras (input scale ~1: one step of 255)
        np.testing.assert_allclose(interpreter.run(gq, xs)[0], model(xs[0]).numpy(), atol=0.05)


def _binary_graph(op, const_first, const, cal_shape=(1, 4, 5, 3)):
    t = {"x": Tensor("x", cal_shape, "float32"), "c": Tensor("c", const.shape, "float32", data=const),
         "y": Tensor("y", (), "float32")}
    ins = ["c", "x"] if const_first else ["x", "c"]
    return validate(Graph(op, t, [Node(op, op, ins, ["y"])], ["x"], ["y"], source=op))


@pytest.mark.parametrize("op,const_first", [("sub", True), ("sub", False), ("add", True), ("mul", False),
                                            ("maximum", False)])
@pytest.mark.parametrize("io", ["float", "int8"])
def test_constant_operand_of_either_side_runs_equal_in_tflm(op, const_first, io, tmp_path):
    rng = np.random.default_rng(1)
    const = rng.uniform(-1.5, 0.5, (1, 1, 1, 3)).astype(np.float32)       # per channel, both signs
    g = _binary_graph(op, const_first, const)
    cal = [[rng.normal(size=(1, 4, 5, 3)).astype(np.float32)] for _ in range(8)]
    gq = quantised(g, cal, io)
    (node,) = [n for n in gq.nodes if n.op == op]
    (c,) = [n for n in node.inputs if gq.tensors[n].is_const]
    cq = gq.tensors[c]
    assert cq.dtype == "int8" and not cq.quant.per_channel
    np.testing.assert_allclose(cq.quant.s * (cq.data.astype(np.float64) - cq.quant.zp), const,
                               atol=cq.quant.s / 2 + 1e-7)
    samples = []
    for _ in range(4):
        x = rng.normal(size=(1, 4, 5, 3)).astype(np.float32)
        if io == "int8":
            q = gq.tensors[gq.inputs[0]].quant
            x = np.clip(np.round(x / q.s) + q.zp, -128, 127).astype(np.int8)
        samples.append([x])
    assert_reference_c_and_tflm_equal(gq, samples, tmp_path)


def test_constant_operand_of_a_non_elementwise_op_is_still_refused():
    from tinycc.core.errors import TinyccError
    g = _binary_graph("batch_matmul", False, np.ones((1, 1, 3, 2), np.float32))
    ranges = Ranges({"x": -1.0, "y": -1.0}, {"x": 1.0, "y": 1.0}, 1)
    with pytest.raises(TinyccError, match="constant operand 'c' of batch_matmul cannot be quantised yet"):
        QuantizeInt8(ranges).run(copy.deepcopy(g))


def test_non_finite_constant_operand_is_a_clear_error():
    from tinycc.core.errors import TinyccError
    g = _binary_graph("mul", False, np.array([[[[1.0, np.inf, 2.0]]]], np.float32))
    ranges = Ranges({"x": -1.0, "y": -1.0}, {"x": 1.0, "y": 1.0}, 1)
    with pytest.raises(TinyccError, match="'c' is not finite"):
        QuantizeInt8(ranges).run(copy.deepcopy(g))


# keras.applications: the fast one runs always; the rest with TINYCC_SLOW_TESTS=1 (minutes each on 2 cores;
# benchmarks/keras_applications.py tables them all)
FAST = ["mobilenet_0.25"]
SLOW = ["mobilenet_v3_small_min", "mobilenet_v3_small", "mobilenet_v2_0.35", "mobilenet_v3_large_min",
        "mobilenet_v3_large", "efficientnet_v2_b0", "nasnet_mobile"]
slow = pytest.mark.skipif(not os.environ.get("TINYCC_SLOW_TESTS"),
                          reason="slow (minutes on 2 cores): set TINYCC_SLOW_TESTS=1, or run "
                                 "benchmarks/keras_applications.py")


@pytest.mark.parametrize("name", FAST + [pytest.param(n, marks=slow) for n in SLOW])
def test_keras_application_compiles_float_and_int8(name, tmp_path):
    _tf()
    from tests.keras_applications_models import FLOAT_RTOL, evaluate
    r = evaluate(name, tmp_path, tf_ptq=True)
    print(r)
    assert r["float_rel_err"] <= FLOAT_RTOL, r
    assert r["c_equal"] and r["tflm_equal"], r
    assert r["int8_arena"] < r["float_arena"] and r["int8_flash"] < r["float_flash"] / 3, r
    assert r["float_classes"] >= 3, r            # float's top-1 tells the images apart: agreement means something
    # >= 90%, or (a random network's logits have small margins between classes: int8 rounding flips
    # near-ties) no worse than TensorFlow's own PTQ of the same model on the same images by more than 2 of 32
    assert r["agreement"] >= 0.9 or r["agreement"] >= r.get("tf_agreement", 1.0) - 2 / 32, r


@pytest.mark.parametrize("op", ["mul", "add", "sub"])
def test_constant_operand_of_an_int16_layer_is_symmetric_int16_and_runs_equal_in_tflm(op, tmp_path):
    rng = np.random.default_rng(2)
    const = rng.uniform(-1.5, 0.5, (1, 1, 1, 3)).astype(np.float32)
    g = _binary_graph(op, False, const)
    cal = [[rng.normal(size=(1, 4, 5, 3)).astype(np.float32)] for _ in range(8)]
    gq = validate(QuantizeInt8(calibrate(g, cal), int16_layers=[op]).run(copy.deepcopy(g)))
    (node,) = [n for n in gq.nodes if n.op == op]
    (c,) = [n for n in node.inputs if gq.tensors[n].is_const]
    cq = gq.tensors[c]
    assert cq.dtype == "int16" and cq.quant.zp == 0 and int(np.abs(cq.data).max()) == 32767
    assert_reference_c_and_tflm_equal(gq, [[rng.normal(size=(1, 4, 5, 3)).astype(np.float32)] for _ in range(3)],
                                   tmp_path)

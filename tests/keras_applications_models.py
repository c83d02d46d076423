"""keras.applications models at MCU resolution with weights=None, made healthy (test and benchmark support).

Keras' default initialisation of these networks, with BatchNormalization at its initial statistics
(mean 0, variance 1), shrinks activations by about half a layer at a time: 27 layers on, MobileNet's
are ~1e-9 and its softmax is uniform, so "top-1 agreement" would compare noise (and PTQ rightly
refuses scales of 1e-12). `healthy` gives every BatchNormalization, layer by layer, moving mean 0
and a moving variance equal to the mean square of its input over structured images (data-dependent
initialisation): each layer's output has unit RMS and the network computes well-scaled,
input-dependent features with no trained weights. Not per-channel mean and variance:
mean-subtracting BatchNormalization makes a random network chaotic (a perturbation grows layer
by layer, Yang et al. 2019), so int8 rounding noise grew ~1.3 dB a layer (MobileNet 0.25: 40 dB
after the first conv, 4 dB at the last) and TensorFlow's own PTQ agreed on top-1 with float only
half the time, as tinycc's did; nor per-channel scales, which blow a nearly constant channel's
rounding noise up to unit size. Last, the classifier's bias centres its logits over those images.

`images(rng, n, size, value_range)` are structured random images: a few random colour gratings plus
a smooth blob and mild noise, in the range the model expects (0..255 for models with
include_preprocessing / Rescaling inside, -1..1 for those that leave preprocess_input to the caller).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Config:
    build: Callable            # build(keras.applications) -> keras.Model
    size: int                  # input height = width
    value_range: tuple[float, float]
    note: str = ""


def _apps():
    import keras
    return keras.applications


RAW = (0.0, 255.0)             # a Rescaling layer inside the model
UNIT = (-1.0, 1.0)             # preprocess_input is the caller's: MobileNet's maps 0..255 to -1..1

CONFIGS: dict[str, Config] = {
    "mobilenet_0.25": Config(lambda A: A.MobileNet(input_shape=(96, 96, 3), alpha=0.25, weights=None,
                                                   classes=10), 96, UNIT),
    "mobilenet_v2_0.35": Config(lambda A: A.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None,
                                                        classes=10), 96, UNIT),
    "mobilenet_v3_small_min": Config(lambda A: A.MobileNetV3Small(input_shape=(96, 96, 3), weights=None, classes=10,
                                                                  minimalistic=True, alpha=0.75), 96, RAW),
    "mobilenet_v3_small": Config(lambda A: A.MobileNetV3Small(input_shape=(96, 96, 3), weights=None, classes=10,
                                                              alpha=0.75), 96, RAW),
    "mobilenet_v3_large_min": Config(lambda A: A.MobileNetV3Large(input_shape=(96, 96, 3), weights=None, classes=10,
                                                                  minimalistic=True, alpha=0.75), 96, RAW),
    "mobilenet_v3_large": Config(lambda A: A.MobileNetV3Large(input_shape=(96, 96, 3), weights=None, classes=10,
                                                              alpha=0.75), 96, RAW),
    "efficientnet_v2_b0": Config(lambda A: A.EfficientNetV2B0(input_shape=(96, 96, 3), weights=None, classes=10),
                                 96, RAW),
    "nasnet_mobile": Config(lambda A: A.NASNetMobile(input_shape=(96, 96, 3), weights=None, classes=10), 96, UNIT,
                            "weights=None allows any size >= 32 (224 only for ImageNet weights)"),
}


def images(rng: np.random.Generator, n: int, size: int, value_range: tuple[float, float]) -> np.ndarray:
    """n structured random images (n, size, size, 3), float32, spanning about `value_range`."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / size
    out = np.empty((n, size, size, 3), np.float32)
    for k in range(n):
        img = np.zeros((size, size, 3))
        for _ in range(3):                                   # colour gratings
            theta, freq, phase = rng.uniform(0, np.pi), rng.uniform(1, 8), rng.uniform(0, 2 * np.pi)
            wave = np.sin(2 * np.pi * freq * (xx * np.cos(theta) + yy * np.sin(theta)) + phase)
            img += wave[..., None] * rng.uniform(-1, 1, 3)
        cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.1, 0.3)
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        img += 2 * blob[..., None] * rng.uniform(-1, 1, 3)
        img += rng.normal(0, 0.1, img.shape)
        img = (img - img.min()) / max(img.max() - img.min(), 1e-6)     # 0..1
        lo, hi = value_range
        out[k] = lo + (hi - lo) * img
    return out


def healthy(model, x: np.ndarray) -> None:
    """Every BatchNormalization's moving statistics := those of its input on `x`, in layer order."""
    import keras
    for layer in model.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        h = np.asarray(keras.Model(model.inputs[0], layer.input)(x, training=False), np.float64)
        axes = tuple(a for a in range(h.ndim) if a != (layer.axis % h.ndim))
        weights = layer.get_weights()          # gamma, beta, moving mean, moving variance
        channels = h.shape[layer.axis % h.ndim]
        weights[-2] = np.zeros(channels, np.float32)
        weights[-1] = np.full(channels, (h ** 2).mean(axis=axes).mean(), np.float32)
        layer.set_weights(weights)
    _center_logits(model, x)


def _center_logits(model, x: np.ndarray) -> None:
    """The classifier's bias := minus its mean logit over `x`, so no class wins every image (the features
    share a large common part, all after ReLU/hard-swish, which a random classifier maps to one class)."""
    import keras
    head = [la for la in model.layers if isinstance(la, (keras.layers.Dense, keras.layers.Conv2D))][-1]
    h = np.asarray(keras.Model(model.inputs[0], head.input)(x, training=False), np.float64)
    kernel, bias = head.get_weights()
    logits = h.reshape(len(x), -1) @ kernel.reshape(-1, kernel.shape[-1]).astype(np.float64)  # a 1x1 input
    head.set_weights([kernel, (-logits.mean(axis=0)).astype(np.float32)])


def build(name: str, seed: int = 0):
    """The model `name` of CONFIGS, seeded and made healthy (see the module docstring)."""
    import keras
    cfg = CONFIGS[name]
    keras.utils.set_random_seed(seed)
    model = cfg.build(_apps())
    healthy(model, images(np.random.default_rng(seed + 1000), 8, cfg.size, cfg.value_range))
    return model


FLOAT_RTOL = 1e-4              # float C vs Keras: |c - keras| <= FLOAT_RTOL x max|keras| per sample
AGREEMENT_SAMPLES = 32
CALIBRATION_SAMPLES = 16
SQNR_DROP_DB = 20.0            # "the first layer that drops": the first whose SQNR falls below this


def evaluate(name: str, workdir, tf_ptq: bool = False) -> dict:
    """Everything the test and the benchmark measure for CONFIGS[name]; `workdir` holds the files.

    float_rel_err: max over 2 samples of max|C - Keras| / max|Keras| (the float C build);
    c_equal / tflm_equal: the int8 model's C output, and TF Lite Micro's on it written as a .tflite
    by tinycc's writer, equal tinycc's reference byte for byte (2 samples, 1 for TFLM);
    agreement: top-1 of the int8 reference vs Keras' float over AGREEMENT_SAMPLES structured images
    (float_classes: how many distinct classes float's top-1 takes over them);
    tf_agreement (tf_ptq): the same for TensorFlow's own full-integer PTQ (same calibration images);
    first_drop: (node index, op, SQNR) of the first layer below SQNR_DROP_DB, min_sqnr the lowest."""
    import copy
    from pathlib import Path

    from tests.c_build import build as build_c
    from tests.c_build import run_exe
    from tests.tflm import run_tflm
    from tinycc.backends.c.plugin import CBackend, generate
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core import interpreter
    from tinycc.core.passes import memory
    from tinycc.core.passes.accuracy import accuracy_report
    from tinycc.driver import optimize_model, quantize_model
    from tinycc.plugins.importers.keras import load_keras

    cfg = CONFIGS[name]
    workdir = Path(workdir)
    model = build(name)
    path = workdir / f"{name}.keras"
    model.save(path)
    g = optimize_model(load_keras(path))
    xs = images(np.random.default_rng(0), AGREEMENT_SAMPLES, cfg.size, cfg.value_range)
    expected = np.asarray(model(xs, training=False), np.float64).reshape(len(xs), -1)
    r: dict = {"model": name}

    def sizes(graph, tag):
        report = generate(graph, memory.plan(graph, **CBackend.plan_options), "model")[1]
        r[f"{tag}_arena"], r[f"{tag}_flash"] = report["arena_bytes"], report["flash_weights_bytes"]

    (workdir / "float").mkdir()
    sizes(g, "float")
    outs = run_exe(build_c(g, workdir / "float"), g, [[x[None]] for x in xs[:2]])
    r["float_rel_err"] = max(float(np.abs(o[0].reshape(-1) - e).max() / np.abs(e).max())
                             for o, e in zip(outs, expected))

    cal = [[x[None]] for x in images(np.random.default_rng(5), CALIBRATION_SAMPLES, cfg.size, cfg.value_range)]
    gq = quantize_model(copy.deepcopy(g), {"calibration": cal})
    (workdir / "int8").mkdir()
    sizes(gq, "int8")
    ref = [interpreter.run(gq, [x[None]])[0] for x in xs]
    outs = run_exe(build_c(gq, workdir / "int8"), gq, [[x[None]] for x in xs[:2]])
    r["c_equal"] = all(np.array_equal(o[0].reshape(q.shape), q) for o, q in zip(outs, ref))
    r["tflm_equal"] = bool(np.array_equal(run_tflm(write_tflite(gq), [xs[:1]])[0].reshape(ref[0].shape), ref[0]))
    top = expected.argmax(1)
    r["agreement"] = float(np.mean([int(np.argmax(q)) == t for q, t in zip(ref, top)]))
    r["float_classes"] = len(set(top.tolist()))      # distinct float top-1 classes: the images are told apart

    order = {n.name: k for k, n in enumerate(g.nodes)}
    layers = sorted(accuracy_report(g, gq, [[x[None]] for x in xs[:4]])["layers"], key=lambda la: order[la["node"]])
    drops = [(order[la["node"]], la["op"], round(la["sqnr_db"], 1)) for la in layers if la["sqnr_db"] < SQNR_DROP_DB]
    r["first_drop"] = drops[0] if drops else None
    r["min_sqnr"] = round(min(la["sqnr_db"] for la in layers), 1)
    r["layers"] = len(g.nodes)
    if tf_ptq:
        r["tf_agreement"] = _tf_agreement(model, cal, xs, top)
    return r


def _tf_agreement(model, cal, xs, top) -> float:
    """Top-1 agreement with float of TensorFlow's own full-integer PTQ of `model`, run in TF Lite Micro."""
    import contextlib
    import io

    import keras
    import tensorflow as tf

    from tests.tflm import run_tflm
    ins = keras.Input(batch_shape=(1,) + tuple(xs.shape[1:]))
    conv = tf.lite.TFLiteConverter.from_keras_model(keras.Model(ins, model(ins)))
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: iter(cal)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = conv.convert()
    return float(np.mean([int(np.argmax(run_tflm(theirs, [x[None]])[0])) == t for x, t in zip(xs, top)]))

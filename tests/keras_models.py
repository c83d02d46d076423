"""Small seeded Keras models converted by TensorFlow's TFLiteConverter (test support).

`converted(arch, mode)` builds the architecture `arch` (one of ARCHS) with seeded weights, batch
1, and converts it: "float32" (no optimisation), "int8" (full-integer, a seeded representative
dataset, int8 inputs and outputs) or "16x8" (int16 activations, int8 weights:
EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8, int16 inputs and outputs). Results
are cached for the session (conversion is the slow part). "lstm" is Keras 2's (tf_keras) layer,
which converts to the fused UNIDIRECTIONAL_SEQUENCE_LSTM; Keras 3's LSTM and GRU convert to a
WHILE loop. `keras_for(arch)` imports the Keras the architecture needs or skips with the reason.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

MODES = ("float32", "int8", "16x8")
CALIBRATION_SAMPLES = 24


def _tf():
    return pytest.importorskip("tensorflow", reason="TensorFlow's TFLiteConverter builds these models")


def keras_for(arch: str):
    """Keras 3 (tf.keras in TF >= 2.16), or tf_keras for the fused-LSTM architecture."""
    tf = _tf()
    if arch == "lstm":
        return pytest.importorskip("tf_keras", reason="the fused UNIDIRECTIONAL_SEQUENCE_LSTM comes from Keras 2's "
                                                      "(tf_keras) LSTM layer; Keras 3's converts to WHILE "
                                                      "(pip install tf-keras)")
    return tf.keras


def conv1d_stack(k):
    x = k.Input((16, 4), batch_size=1)
    y = k.layers.Conv1D(8, 3, padding="same", activation="relu")(x)
    y = k.layers.Conv1D(8, 3, strides=2, padding="valid", activation="relu")(y)
    y = k.layers.Conv1D(6, 1)(y)
    y = k.layers.GlobalAveragePooling1D()(y)
    return k.Model(x, k.layers.Dense(3)(y))


def conv1d_causal(k):
    """Causal dilated Conv1D (PAD + CONV_2D), SeparableConv1D, MaxPooling1D, a swish Dense and a
    softmax head."""
    x = k.Input((20, 3), batch_size=1)
    y = k.layers.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="relu")(x)
    y = k.layers.SeparableConv1D(5, 3, padding="same")(y)
    y = k.layers.MaxPooling1D(2)(y)
    y = k.layers.Dense(4, activation="swish")(k.layers.Flatten()(y))
    return k.Model(x, k.layers.Dense(3, activation="softmax")(y))


def layernorm_sequence(k):
    """Dense, LayerNormalization (MEAN, SQUARED_DIFFERENCE, RSQRT, ...) on a sequence."""
    x = k.Input((6, 8), batch_size=1)
    y = k.layers.LayerNormalization()(k.layers.Dense(8)(x))
    return k.Model(x, k.layers.Dense(4)(y))


def conv2d_transpose_decoder(k):
    x = k.Input((4, 4, 6), batch_size=1)
    y = k.layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
    y = k.layers.Conv2DTranspose(4, 3, strides=2, padding="valid")(y)
    return k.Model(x, k.layers.Conv2D(2, 1)(y))


def upsampling(interpolation: str):
    def build(k):
        x = k.Input((5, 4, 3), batch_size=1)
        y = k.layers.Conv2D(4, 3, padding="same", activation="relu")(x)
        y = k.layers.UpSampling2D(2, interpolation=interpolation)(y)
        return k.Model(x, k.layers.Conv2D(2, 3)(y))
    return build


def resizing(interpolation: str):
    def build(k):
        x = k.Input((6, 5, 3), batch_size=1)
        y = k.layers.Resizing(9, 7, interpolation=interpolation)(x)
        return k.Model(x, k.layers.Conv2D(2, 1)(y))
    return build


def mobilenet_v3_block(k):
    """Expand 1x1 + hard-swish, depthwise 3x3 + hard-swish, squeeze-excite (hard-sigmoid gate),
    project 1x1, residual add: MobileNetV3's inverted residual."""
    x = k.Input((8, 8, 8), batch_size=1)
    y = k.layers.Conv2D(16, 1)(x)
    y = k.layers.Activation("hard_swish")(y)
    y = k.layers.DepthwiseConv2D(3, padding="same")(y)
    y = k.layers.Activation("hard_swish")(y)
    s = k.layers.GlobalAveragePooling2D(keepdims=True)(y)
    s = k.layers.Conv2D(4, 1, activation="relu")(s)
    s = k.layers.Conv2D(16, 1, activation="hard_sigmoid")(s)
    y = k.layers.Multiply()([y, s])
    y = k.layers.Conv2D(8, 1)(y)
    return k.Model(x, k.layers.Add()([x, y]))


def dense_on_sequence(k):
    """Dense layers on a (steps, features) sequence: FULLY_CONNECTED keeping the steps axis."""
    x = k.Input((6, 8), batch_size=1)
    h = k.layers.Dense(12, activation="relu")(x)
    return k.Model(x, k.layers.Dense(3)(k.layers.Dense(4)(h)))


def attention_scores(k):
    """Attention's Q.K^T: a matmul of two activations (BATCH_MATMUL), then Dense on the result."""
    x = k.Input((6, 8), batch_size=1)
    q = k.layers.Dense(4)(x)
    key = k.layers.Dense(4)(x)
    scores = k.layers.Dot(axes=2)([q, key])
    return k.Model(x, k.layers.Dense(3)(k.layers.Concatenate()([q, scores])))


def lstm(k):
    x = k.Input((6, 3), batch_size=1)
    y = k.layers.LSTM(5, return_sequences=True)(x)
    return k.Model(x, k.layers.Dense(2)(y))


def gru(k):
    x = k.Input((6, 3), batch_size=1)
    return k.Model(x, k.layers.GRU(5)(x))


ARCHS = {"conv1d": conv1d_stack, "conv1d_causal": conv1d_causal, "layernorm_sequence": layernorm_sequence,
         "conv2d_transpose": conv2d_transpose_decoder,
         "upsampling_nearest": upsampling("nearest"), "upsampling_bilinear": upsampling("bilinear"),
         "resizing_bilinear": resizing("bilinear"), "resizing_nearest": resizing("nearest"),
         "mobilenet_v3": mobilenet_v3_block, "dense_sequence": dense_on_sequence,
         "attention_scores": attention_scores, "lstm": lstm, "gru": gru}


@functools.cache
def converted(arch: str, mode: str) -> bytes:
    """The TFLite flatbuffer of `arch` converted in `mode` (see the module docstring)."""
    tf = _tf()
    k = keras_for(arch)
    k.utils.set_random_seed(0)
    model = ARCHS[arch](k)
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        shapes = [tuple(t.shape) for t in model.inputs]
        rng = np.random.default_rng(0)

        def representative():
            for _ in range(CALIBRATION_SAMPLES):
                yield [rng.uniform(-2, 2, s).astype(np.float32) for s in shapes]
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = representative
        if mode == "int8":
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            conv.inference_input_type = conv.inference_output_type = tf.int8
        else:
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            conv.inference_input_type = conv.inference_output_type = tf.int16
    return conv.convert()

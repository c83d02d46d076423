"""Benchmark models made on the spot with TensorFlow's converter (nothing downloaded, nothing
committed): full-integer int8 .tflite bytes of layers real models spend their time in, for
bench_cortexm.py's table. Each builder returns (bytes, None) or (None, the reason it cannot).

- `lstm_kws`: a keyword-spotting-shaped recurrent model, 49 MFCC frames of 10 features through a
  Keras 2 (tf_keras) LSTM of 64 units (one fused UNIDIRECTIONAL_SEQUENCE_LSTM; Keras 3's LSTM
  converts to a WHILE loop) and a 12-way dense layer on the last step.
- `tconv_decoder`: an upsampling decoder, 8x8x16 to 32x32x8 through two 3x3 stride-2 SAME
  Conv2DTranspose layers (TRANSPOSE_CONV), the first with ReLU.
- `attention_kws`: a KWS-transformer attention block, 49 frames of d_model 64 through Keras 2's
  MultiHeadAttention (4 heads of 16): FULLY_CONNECTED projections, TRANSPOSE, two BATCH_MATMULs
  (scores Q.K^T and context P.V, both with an activation rhs without adj_y), SOFTMAX.
- `upsample_bilinear`, `upsample_nearest`: a U-Net decoder's x2 upsample of 24x24x32
  (UpSampling2D: RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR with half_pixel_centers).
Weights are seeded random; the representative data is seeded uniform noise.
"""
from __future__ import annotations

import numpy as np


def _keras():
    try:
        import tensorflow as tf
        import tf_keras as keras
    except ImportError as e:
        return None, None, f"needs tensorflow and tf_keras (pip install tf-keras): {e}"
    return tf, keras, None


def _int8(tf, model, shape) -> bytes:
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    rng = np.random.default_rng(0)

    def representative():
        for _ in range(32):
            yield [rng.uniform(-2, 2, shape).astype(np.float32)]
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = conv.inference_output_type = tf.int8
    return conv.convert()


def lstm_kws():
    tf, keras, why = _keras()
    if why:
        return None, why
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((49, 10), batch_size=1), keras.layers.LSTM(64),
                              keras.layers.Dense(12)])
    return _int8(tf, model, (1, 49, 10)), None


def tconv_decoder():
    tf, keras, why = _keras()
    if why:
        return None, why
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 16), batch_size=1),
                              keras.layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
                              keras.layers.Conv2DTranspose(8, 3, strides=2, padding="same")])
    return _int8(tf, model, (1, 8, 8, 16)), None


def attention_kws():
    tf, keras, why = _keras()
    if why:
        return None, why
    keras.utils.set_random_seed(0)
    x = keras.Input((49, 64), batch_size=1)
    model = keras.Model(x, keras.layers.MultiHeadAttention(num_heads=4, key_dim=16)(x, x))
    return _int8(tf, model, (1, 49, 64)), None


def _upsample(interpolation: str):
    def build():
        tf, keras, why = _keras()
        if why:
            return None, why
        x = keras.Input((24, 24, 32), batch_size=1)
        model = keras.Model(x, keras.layers.UpSampling2D(2, interpolation=interpolation)(x))
        return _int8(tf, model, (1, 24, 24, 32)), None
    return build


BUILDERS = {"lstm_kws": lstm_kws, "tconv_decoder": tconv_decoder, "attention_kws": attention_kws,
            "upsample_bilinear": _upsample("bilinear"), "upsample_nearest": _upsample("nearest")}

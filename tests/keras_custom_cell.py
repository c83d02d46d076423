"""A custom Keras RNN cell (an Elman cell: h = tanh(x W + h U)), registered so a .keras file that
uses it loads in any process that imports this module (tests/test_keras_unroll.py runs the CLI in
such a process, as a user whose package defines the cell would)."""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tinycc_tests")
class ElmanCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")
        self.recurrent = self.add_weight(shape=(self.units, self.units), initializer="orthogonal", name="recurrent")

    def call(self, inputs, states):
        h = ops.tanh(ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent))
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}

"""C emitter for tanh (int8 is a table, see lut): the float kernel, or TFLM's int16 interpolation."""
from tinycc.backends.c.ops import _sigmoid_s16


def emit(node, m, p):
    _sigmoid_s16.emit(node, m, p, "tinycc_tanh_s16_n")

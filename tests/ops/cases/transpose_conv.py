"""TRANSPOSE_CONV cases: random single-op models (output shapes of SAME and VALID layers, and
output shapes other than the natural one, which TFLM cuts or leaves at the bias)."""
from __future__ import annotations

from tests.ops.cases._common import ACTS, conv_out_scale, io_tensor, out_tensor, weights
from tests.tflite_builder import single_op

DTYPES = ("int8", "int16", "float32")


def natural(size: int, kernel: int, stride: int, padding: str) -> int:
    """The output size TensorFlow's conv2d_transpose gives for this input size."""
    return size * stride if padding == "same" else (size - 1) * stride + kernel


def build(rng, dtype):
    h, w = (int(v) for v in rng.integers(1, 7, size=2))
    cin, cout = (int(v) for v in rng.integers(1, 6, size=2))
    kernel = tuple(int(k) for k in rng.integers(1, 5, size=2))
    strides = tuple(int(s) for s in rng.integers(1, 4, size=2))
    padding = "same" if rng.random() < 0.5 else "valid"
    oh, ow = natural(h, kernel[0], strides[0], padding), natural(w, kernel[1], strides[1], padding)
    if rng.random() < 0.2:               # any output size: TFLM cuts the scatter to it
        oh, ow = (max(1, v + int(rng.integers(-3, 4))) for v in (oh, ow))
    batch = 2 if rng.random() < 0.2 else 1
    x = io_tensor(rng, dtype, (batch, h, w, cin))
    wt, b, w_mean = weights(rng, (cout, *kernel, cin), dtype, 0, x.quant.s if x.quant else 1.0)
    taps = max(1, kernel[0] // strides[0]) * max(1, kernel[1] // strides[1]) * cin
    scale = None if dtype == "float32" else conv_out_scale(rng, x, w_mean, taps)
    ins = [x, wt, b] if rng.random() < 0.8 else [x, wt]
    attrs = {"output_shape": (batch, oh, ow, cout), "strides": strides, "padding": padding,
             "activation": str(rng.choice(ACTS))}
    return single_op("transpose_conv", ins, out_tensor(rng, dtype, scale), attrs)


I32_MAX = (1 << 31) - 1


def hostile(sx=0.05, sw=0.01, so=0.5, bias=None, act_fn="none", dtype="int8", zp16=(0, 0), strides=(2, 2),
            out_hw=(8, 8), padding="same"):
    """A fixed int8 / 16x8 layer with one parameter pushed to (or past) the edge."""
    import numpy as np

    from tests.ops.cases._common import unchecked_single_op
    from tests.tflite_builder import act, const, q
    rng = np.random.default_rng(5)
    x = act("x", (1, 4, 4, 3), dtype, q(sx, 3 if dtype == "int8" else zp16[0]))
    scales = (np.float32(sw) * np.array([1, 3, 0.5, 2], np.float32)).astype(np.float32)
    w = const("w", rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8), q(scales, np.zeros(4, np.int64), 0))
    values = rng.integers(-500, 500, 4) if bias is None else np.full(4, bias)
    b = const("b", values.astype(np.int64 if dtype == "int16" else np.int32), q(np.float32(sx) * scales, np.zeros(4)))
    y = act("y", (), dtype, q(so, -5 if dtype == "int8" else zp16[1]))
    return unchecked_single_op("transpose_conv", [x, w, b], y,
                               {"output_shape": (1, *out_hw, 4), "strides": strides, "padding": padding,
                                "activation": act_fn})


HOSTILE_VALID = {
    "transpose_conv_bias_int32_max": lambda: hostile(bias=I32_MAX),        # the int32 sum wraps as TFLM's
    "transpose_conv_bias_int32_min": lambda: hostile(bias=-I32_MAX - 1),
    "transpose_conv_out_scale_1e30": lambda: hostile(so=1e30),             # multipliers flush to 0
    "transpose_conv_int16_bias_2^40": lambda: hostile(bias=1 << 40, dtype="int16"),
    "transpose_conv_stride_1000": lambda: hostile(strides=(1000, 999), out_hw=(5, 1200), padding="valid"),
    "transpose_conv_output_smaller_than_filter": lambda: hostile(out_hw=(1, 2), act_fn="relu6"),
}

HOSTILE_INVALID = {
    "transpose_conv_out_scale_1e-30": (lambda: hostile(so=1e-30), ["'x'", "'w'", "'y'", "1e-30"]),
    "transpose_conv_int16_bias_2^50": (lambda: hostile(bias=1 << 50, dtype="int16"), ["'b'", str(1 << 50)]),
    "transpose_conv_int16_in_zp_5": (lambda: hostile(dtype="int16", zp16=(5, 0)), ["'x'", "zero point 5"]),
    "transpose_conv_relu6_out_scale_1e-12": (lambda: hostile(so=1e-12, act_fn="relu6"), ["'y'", "relu6"]),
}

"""DEPTHWISE_CONV_2D cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import ACTS, conv_out_scale, io_tensor, out_tensor, pads, weights
from tests.tflite_builder import single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    h, w = rng.integers(1, 10, size=2)
    cin, mult = int(rng.integers(1, 6)), int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    strides = tuple(int(s) for s in rng.integers(1, 3, size=2))
    dil = tuple(int(d) for d in rng.integers(1, 3, size=2)) if rng.random() < 0.3 else (1, 1)
    h, w = max(h, (kernel[0] - 1) * dil[0] + 1), max(w, (kernel[1] - 1) * dil[1] + 1)
    x = io_tensor(rng, dtype, (1, h, w, cin))
    wt, b, w_mean = weights(rng, (1, *kernel, cin * mult), dtype, 3, x.quant.s if x.quant else 1.0)
    scale = None if dtype == "float32" else conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1])
    attrs = {"strides": strides, "dilations": dil, "activation": str(rng.choice(ACTS)), "depth_multiplier": mult,
             "pads": pads(rng, (h, w), kernel, strides, dil)}
    return single_op("depthwise_conv_2d", [x, wt, b], out_tensor(rng, dtype, scale), attrs)

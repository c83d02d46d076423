"""A fixed-shape int8 TRANSPOSE_CONV layer for the fast-path and CMSIS-NN twin tests: every
geometry parameter chosen by the caller, weights and scales drawn from a seed."""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const, q, single_op


def tconv(seed, hw=(4, 5), cin=3, cout=4, kernel=(3, 3), strides=(2, 2), padding="same", extra=(0, 0), batch=1,
          bias=True, in_zp=None, act_fn="none", w_range=127, bias_values=None) -> bytes:
    """An int8 TRANSPOSE_CONV layer; `extra` is added to the natural output size (negative: cut)."""
    rng = np.random.default_rng(seed)
    h, w = hw
    natural = [(s * st if padding == "same" else (s - 1) * st + k) + e
               for s, k, st, e in zip(hw, kernel, strides, extra)]
    x = act("x", (batch, h, w, cin), "int8", q(0.03, int(rng.integers(-128, 128)) if in_zp is None else in_zp))
    w_scales = rng.uniform(2e-3, 0.02, cout).astype(np.float32)
    wt = const("w", rng.integers(-w_range, min(w_range + 1, 128), (cout, *kernel, cin)).astype(np.int8),
               q(w_scales, np.zeros(cout), 0))
    values = rng.integers(-3000, 3001, cout) if bias_values is None else np.resize(np.asarray(bias_values), cout)
    b = const("b", values.astype(np.int32),
              q((w_scales * np.float32(0.03)).astype(np.float32), np.zeros(cout)))
    taps = max(1, kernel[0] // strides[0]) * max(1, kernel[1] // strides[1]) * cin
    y = act("y", (), "int8", q(float(0.03 * w_scales.mean() * 40 * np.sqrt(taps)), int(rng.integers(-20, 20))))
    attrs = {"output_shape": (batch, *natural, cout), "strides": strides, "padding": padding, "activation": act_fn}
    return single_op("transpose_conv", [x, wt, b] if bias else [x, wt], y, attrs)

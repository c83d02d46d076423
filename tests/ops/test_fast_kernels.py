"""The `c` backend's fast int8 kernels (backends/c/kernels/dot_s8.h and the *_fast paths of
conv_2d.h, depthwise_conv_2d.h, fully_connected.h) against TF Lite Micro, byte for byte.

Each case is a single-op model shaped to reach one specialised path: 1x1 convolutions as one
matrix product, interior/border splits under padding and strides, channel counts that are not a
multiple of the 2x2 register blocking or of the 4-byte SMLAD step, per-tensor and per-channel
quantisation, input zero points at both extremes. On the host the portable C branch runs; under
QEMU (Cortex-M4, `__ARM_FEATURE_DSP`) the SXTB16/SMLAD branch runs on the same models.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, needs_qemu
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.core.ops.common import same_padding


def _quant_w(rng, shape, axis, per_channel, in_scale, bias=True):
    channels = shape[axis]
    w_scales = rng.uniform(1e-3, 0.03, channels).astype(np.float32)
    if not per_channel:
        w_scales[:] = w_scales[0]
    w = const("w", rng.integers(-127, 128, shape).astype(np.int8), q(w_scales, np.zeros(channels), axis))
    b = const("b", rng.integers(-20000, 20000, channels).astype(np.int32),
              q((w_scales * np.float32(in_scale)).astype(np.float32), np.zeros(channels)))
    return w, (b if bias else None), float(w_scales.mean())


def _pads(hw, kernel, strides, same):
    if not same:
        return (0, 0, 0, 0)
    (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], 1) for i in (0, 1))
    return (top, left, bottom, right)


def _out_scale(in_scale, w_mean, taps):
    return float(np.float32(in_scale * w_mean * 127 * 8 * np.sqrt(taps) / 4))


def conv_case(seed, h, w, cin, cout, kernel, strides=(1, 1), same=False, per_channel=True, in_zp=None,
              act_fn="none", bias=True):
    rng = np.random.default_rng(seed)
    in_scale = 0.02
    zp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
    x = act("x", (1, h, w, cin), "int8", q(in_scale, zp))
    wt, b, w_mean = _quant_w(rng, (cout, *kernel, cin), 0, per_channel, in_scale, bias)
    y = act("y", (), "int8", q(_out_scale(in_scale, w_mean, kernel[0] * kernel[1] * cin), int(rng.integers(-20, 20))))
    attrs = {"strides": strides, "dilations": (1, 1), "activation": act_fn,
             "pads": _pads((h, w), kernel, strides, same)}
    return single_op("conv_2d", [x, wt, *([b] if b is not None else [])], y, attrs)


CONV = {
    "1x1-odd-pixels-odd-channels": dict(h=3, w=5, cin=13, cout=7, kernel=(1, 1)),
    "1x1-c64": dict(h=5, w=5, cin=64, cout=64, kernel=(1, 1), in_zp=-128, act_fn="relu6"),
    "1x1-stride2": dict(h=7, w=6, cin=8, cout=6, kernel=(1, 1), strides=(2, 2)),
    "1x1-per-tensor-zp127": dict(h=4, w=4, cin=9, cout=5, kernel=(1, 1), per_channel=False, in_zp=127),
    "1x1-no-bias": dict(h=2, w=3, cin=6, cout=3, kernel=(1, 1), bias=False),
    "3x3-same": dict(h=7, w=6, cin=5, cout=6, kernel=(3, 3), same=True, act_fn="relu"),
    "3x3-same-stride2": dict(h=9, w=8, cin=3, cout=8, kernel=(3, 3), strides=(2, 2), same=True),
    "3x3-valid-odd": dict(h=6, w=7, cin=4, cout=3, kernel=(3, 3), in_zp=-128),
    "10x4-kws-like": dict(h=20, w=10, cin=1, cout=10, kernel=(10, 4), strides=(2, 2), same=True, in_zp=83),
    "2x3-asym-stride": dict(h=8, w=9, cin=7, cout=5, kernel=(2, 3), strides=(1, 2), same=True),
    "kernel-wider-than-input": dict(h=3, w=2, cin=2, cout=4, kernel=(3, 3), same=True),
}


def dw_case(seed, h, w, cin, kernel, strides=(1, 1), same=True, mult=1, per_channel=True, in_zp=None,
            act_fn="none", bias=True):
    rng = np.random.default_rng(seed)
    in_scale = 0.02
    zp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
    x = act("x", (1, h, w, cin), "int8", q(in_scale, zp))
    wt, b, w_mean = _quant_w(rng, (1, *kernel, cin * mult), 3, per_channel, in_scale, bias)
    y = act("y", (), "int8", q(_out_scale(in_scale, w_mean, kernel[0] * kernel[1]), int(rng.integers(-20, 20))))
    attrs = {"strides": strides, "dilations": (1, 1), "activation": act_fn, "depth_multiplier": mult,
             "pads": _pads((h, w), kernel, strides, same)}
    return single_op("depthwise_conv_2d", [x, wt, *([b] if b is not None else [])], y, attrs)


DW = {
    "3x3-same-c8": dict(h=6, w=5, cin=8, kernel=(3, 3), in_zp=-128, act_fn="relu6"),
    "3x3-same-odd-channels": dict(h=5, w=7, cin=7, kernel=(3, 3)),
    "3x3-stride2-same": dict(h=9, w=8, cin=6, kernel=(3, 3), strides=(2, 2), in_zp=127),
    "3x3-valid-per-tensor": dict(h=6, w=6, cin=5, kernel=(3, 3), same=False, per_channel=False),
    "5x2-same": dict(h=7, w=6, cin=3, kernel=(5, 2), act_fn="relu"),
    "3x3-mult2": dict(h=5, w=5, cin=3, kernel=(3, 3), mult=2),
    "3x3-tiny-input": dict(h=2, w=1, cin=4, kernel=(3, 3), bias=False),
}


def fc_case(seed, rows, depth, units, in_zp=None, act_fn="none", bias=True):
    rng = np.random.default_rng(seed)
    in_scale = 0.02
    zp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
    x = act("x", (rows, depth), "int8", q(in_scale, zp))
    w_scale = 0.01
    wt = const("w", rng.integers(-127, 128, (units, depth)).astype(np.int8), q(w_scale, 0))
    b = const("b", rng.integers(-20000, 20000, units).astype(np.int32), q(np.float32(in_scale * w_scale), 0))
    y = act("y", (), "int8", q(_out_scale(in_scale, w_scale, depth), int(rng.integers(-20, 20))))
    return single_op("fully_connected", [x, wt, *([b] if bias else [])], y, {"activation": act_fn})


FC = {
    "640x128": dict(rows=1, depth=640, units=128, in_zp=89),
    "odd-units-odd-depth": dict(rows=1, depth=37, units=13, in_zp=-128, act_fn="relu"),
    "rows3": dict(rows=3, depth=20, units=6, in_zp=127),
    "depth3-no-bias": dict(rows=2, depth=3, units=5, bias=False),
}

ALL = {**{f"conv-{k}": (conv_case, v) for k, v in CONV.items()}, **{f"dw-{k}": (dw_case, v) for k, v in DW.items()},
       **{f"fc-{k}": (fc_case, v) for k, v in FC.items()}}


@pytest.mark.parametrize("name", list(ALL))
def test_fast_kernel_on_host_equals_tflm(name):
    build, kw = ALL[name]
    assert_matches_tflm(build(7, **kw), samples=3, seed=3, c=True)


@needs_qemu
@pytest.mark.parametrize("name", list(ALL))
def test_fast_kernel_dsp_branch_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    build, kw = ALL[name]
    assert_qemu_m4_fast_path(build(7, **kw), tmp_path, "", 2)

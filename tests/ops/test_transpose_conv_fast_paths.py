"""tinycc_transpose_conv_s8_fast (backends/c/kernels/transpose_conv_fast.h) against TF Lite Micro,
byte for byte, on the host (portable C) and under QEMU Cortex-M4 (SXTB16/SMLAD dot products).

The kernel walks only the taps that hit (ky = (oy + pad) mod stride, + stride, ...), two output
channels at a time with an odd last one, and takes the input zero point out per tap. The cases
reach every edge: taps cut at all four borders, kernels smaller and larger than the stride, stride
1, strides far beyond the kernel, outputs cut short and extended past the scatter (left at the
bias), odd channel counts and channel depths below, at and above 4, batches, no bias, zero points
at both ends, fused activations; a bias at the edge of int32 keeps the reference kernel (TFLM's
sums wrap there)."""
from __future__ import annotations

import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu
from tests.ops.cases._tconv import tconv
from tests.ops.check import assert_matches_tflm

CASES = {
    "same-s2-k3": dict(),
    "same-s2-k4-c1-to-1": dict(kernel=(4, 4), cin=1, cout=1),
    "same-s1-k3-c5-to-7": dict(strides=(1, 1), cin=5, cout=7),
    "same-s3-k2-below-stride": dict(kernel=(2, 2), strides=(3, 3)),
    "same-s2x1-k1x5": dict(kernel=(1, 5), strides=(2, 1), hw=(6, 2)),
    "valid-s2-k3-c16-to-8": dict(padding="valid", cin=16, cout=8),
    "valid-s2-k5-extended": dict(padding="valid", kernel=(5, 5), extra=(3, 2)),
    "same-cut": dict(extra=(-3, -4), kernel=(4, 3)),
    "valid-s1-k1-c8-to-16": dict(padding="valid", strides=(1, 1), kernel=(1, 1), cin=8, cout=16),
    "same-batch2-no-bias": dict(batch=2, bias=False, cin=6, cout=3),
    "same-zp-128-relu": dict(in_zp=-128, act_fn="relu", cin=9),
    "same-zp127-relu6-full-weights": dict(in_zp=127, act_fn="relu6", w_range=128, cin=7, cout=5),
    "valid-stride-100": dict(padding="valid", strides=(100, 7), hw=(2, 3), kernel=(3, 2), cout=3),
    "valid-hw1-k5-s4-c2-to-9": dict(padding="valid", hw=(1, 1), kernel=(5, 5), strides=(4, 4), cin=2, cout=9),
    "same-c33-to-6": dict(cin=33, cout=6, hw=(3, 3)),
}
QEMU_CASES = ["same-s2-k3", "same-s2-k4-c1-to-1", "valid-s2-k3-c16-to-8", "same-cut", "same-batch2-no-bias",
              "same-zp127-relu6-full-weights", "same-c33-to-6", "valid-stride-100"]


def _case(name):
    return tconv(1 + sorted(CASES).index(name), **CASES[name])


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_fast_path_equals_tflm(name, tmp_path):
    data = _case(name)
    assert "tinycc_transpose_conv_s8_fast(" in invoke_source(data, tmp_path)
    assert_matches_tflm(data, samples=3, seed=7, c=True)


def test_bias_at_the_int32_edge_keeps_the_reference_kernel(tmp_path):
    data = tconv(3, bias_values=[(1 << 31) - 1, -(1 << 31), 5])
    src = invoke_source(data, tmp_path)
    assert "tinycc_transpose_conv_s8(" in src and "_fast(" not in src
    assert_matches_tflm(data, samples=2, seed=1, c=True)


@needs_qemu
@pytest.mark.parametrize("name", QEMU_CASES)
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    assert_qemu_m4_fast_path(_case(name), tmp_path, "tinycc_transpose_conv_s8_fast(", 3)

"""tinycc_svdf_s8_s16_fast / tinycc_svdf_s8_s8_fast (backends/c/kernels/optimised/svdf_fast.h) against TF
Lite Micro, byte for byte, over several invokes of one instance (the state carries, and is reset), on the host
(portable C) and under QEMU Cortex-M4 (SMLAD feature blocks and time dot products, the word-wise state shift).

The feature projection runs four filters a block (a last block of 1-2 filters two rows wide, of 3 four wide),
the int16 time dot products two elements per SMLAD (an odd memory leaves one), the int8 ones four per pair of
SMLADs; so the cases take filter counts, input sizes and memory sizes 1..9 and not multiples of 4, batches of
2-3 (the state shift crosses batch rows), ranks 1-3, input zero points at both ends, int8 states with a zero
point (folded into the bias), full-range weights, and the KWS-sized stack of the benchmark. Feature sums the
portable loops could not hold in int32 keep the plain kernel."""
from __future__ import annotations

import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu
from tests.ops.cases._svdf import svdf_kws, svdf_layer

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")

CASES = {   # name: svdf_layer arguments
    "u1-r1-m1-s1": dict(units=1, rank=1, memory=1, size=1),
    "u2-r1-m2-s3": dict(units=2, rank=1, memory=2, size=3),
    "u3-r1-m3-s5-b2": dict(units=3, rank=1, memory=3, size=5, batch=2),
    "u4-r1-m4-s8": dict(units=4, rank=1, memory=4, size=8),
    "u5-r1-m5-s9-b3": dict(units=5, rank=1, memory=5, size=9, batch=3),
    "u3-r2-m7-s13": dict(units=3, rank=2, memory=7, size=13),
    "u2-r3-m6-s6-b2": dict(units=2, rank=3, memory=6, size=6, batch=2),
    "u7-r1-m9-s40-zp-128": dict(units=7, rank=1, memory=9, size=40, in_zp=-128),
    "u6-r2-m8-s17-zp127-full-weights": dict(units=6, rank=2, memory=8, size=17, in_zp=127, w_range=128),
    "u64-r2-m16-s40": dict(units=64, rank=2, memory=16, size=40),
    "s8-u3-r2-m5-s7-b2": dict(units=3, rank=2, memory=5, size=7, batch=2, state_dtype="int8"),
    "s8-u5-r1-m1-s4": dict(units=5, rank=1, memory=1, size=4, state_dtype="int8"),
    "s8-u4-r1-m9-s11-zp-20": dict(units=4, rank=1, memory=9, size=11, state_dtype="int8", state_zp=-20),
    "s8-u9-r1-m4-s3-zp17-b3": dict(units=9, rank=1, memory=4, size=3, state_dtype="int8", state_zp=17, batch=3),
}
QEMU_CASES = ["u1-r1-m1-s1", "u3-r1-m3-s5-b2", "u5-r1-m5-s9-b3", "u2-r3-m6-s6-b2", "u6-r2-m8-s17-zp127-full-weights",
              "u64-r2-m16-s40", "s8-u3-r2-m5-s7-b2", "s8-u9-r1-m4-s3-zp17-b3"]


def _case(name: str) -> bytes:
    return svdf_layer(1 + sorted(CASES).index(name), **CASES[name])


def _steps(name: str) -> int:
    """Enough invokes to fill the memory twice over, so every slot holds a computed value."""
    return 2 * CASES[name]["memory"] + 2


def test_cases_reach_every_tail():
    for key in ("units", "memory", "size"):
        assert {CASES[n][key] % 4 for n in CASES} == {0, 1, 2, 3}, key
    assert {CASES[n]["units"] * CASES[n]["rank"] % 4 for n in CASES} == {0, 1, 2, 3}     # filters
    assert {CASES[n].get("batch", 1) for n in CASES} == {1, 2, 3}
    assert {CASES[n]["rank"] for n in CASES} == {1, 2, 3}


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_fast_path_equals_tflm_over_invocations(name, tmp_path):
    from tests.ops.test_svdf import assert_steps_match
    data = _case(name)
    kernel = {"int16": "tinycc_svdf_s8_s16_fast(", "int8": "tinycc_svdf_s8_s8_fast("}
    assert kernel[CASES[name].get("state_dtype", "int16")] in invoke_source(data, tmp_path)
    assert_steps_match(data, seed=3, steps=_steps(name), c=True)


def test_host_fast_path_reset_equals_tflm():
    from tests.ops.test_svdf import assert_steps_match
    assert_steps_match(_case("u3-r2-m7-s13"), seed=5, steps=12, reset_at=7, c=True)


def test_feature_sums_beyond_int32_keep_the_plain_kernel(tmp_path):
    """150,000 inputs against weights up to +-127 (256 x sum|w| is past 2^31): a feature sum could leave
    int32 in the portable loops, so the plain kernel (wrapping as TFLM's sums) stays, and still equals TFLM."""
    from tests.ops.test_svdf import assert_steps_match
    data = svdf_layer(7, units=1, rank=1, memory=2, size=150000, in_zp=-128)
    src = invoke_source(data, tmp_path)
    assert "tinycc_svdf_s8_s16(" in src and "_fast(" not in src
    assert_steps_match(data, seed=2, steps=3, c=True)


def test_kws_stack_takes_the_fast_kernel_in_both_layers(tmp_path):
    src = invoke_source(svdf_kws(), tmp_path)
    assert src.count("tinycc_svdf_s8_s16_fast(") == 2


@needs_qemu
@pytest.mark.parametrize("name", QEMU_CASES)
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    data = _case(name)
    assert "_fast(" in invoke_source(data, tmp_path)
    assert_qemu_m4_fast_path(data, tmp_path, "", _steps(name))


@needs_qemu
def test_qemu_cortex_m4_kws_stack_equals_tflm(tmp_path):
    assert_qemu_m4_fast_path(svdf_kws(), tmp_path, "tinycc_svdf_s8_s16_fast(", 20)

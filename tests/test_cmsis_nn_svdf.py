"""The CMSIS-NN twin of SVDF (backends/cmsis_nn/ops/svdf.py: arm_svdf_state_s16_s8) against TF Lite Micro,
byte for byte over several invokes of one instance (the state carries): built with CMSIS-NN's portable C on
the host and with its DSP path under QEMU Cortex-M4.

Random int8 layers with an int16 state of zero point 0 (what the twin takes): filter, input and memory sizes
1..9 and not multiples of 4 (CMSIS-NN's DSP loops take two filters, sixteen and four inputs, two memory
slots a turn), batches, ranks 1-3, input zero points at both ends, the KWS-sized stack of the benchmark.
An int16 state with a zero point, and an int8 state, keep the c kernel (arm_svdf_state_s16_s8 and
arm_svdf_s8 ignore the state's zero point, TFLM's reference does not) and are still right."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.cmsis_nn_source import require_cmsis_nn
from tests.ops.cases._svdf import svdf_kws, svdf_layer
from tests.ops.check import assert_outputs_equal_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tests.test_cmsis_nn_twins import host_outputs, write
from tinycc import cortexm

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")
QEMU = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                          reason=f"the Cortex-M toolchain and QEMU are not installed "
                                 f"(apt-get install {cortexm.PACKAGES})")

CASES = {   # name: svdf_layer arguments (int16 state, zero point 0)
    "u1-r1-m1-s1": dict(units=1, rank=1, memory=1, size=1),
    "u3-r1-m3-s5-b2": dict(units=3, rank=1, memory=3, size=5, batch=2),
    "u5-r1-m5-s17-b3": dict(units=5, rank=1, memory=5, size=17, batch=3),
    "u3-r2-m7-s13": dict(units=3, rank=2, memory=7, size=13),
    "u2-r3-m6-s6-b2": dict(units=2, rank=3, memory=6, size=6, batch=2),
    "u7-r1-m9-s40-zp-128": dict(units=7, rank=1, memory=9, size=40, in_zp=-128),
    "u6-r2-m8-s33-zp127-full-weights": dict(units=6, rank=2, memory=8, size=33, in_zp=127, w_range=128),
    "u64-r2-m16-s40": dict(units=64, rank=2, memory=16, size=40),
}
# the state's zero point: the twin does not apply, the c kernel runs
FALLBACK = {"int16-state-zp5": dict(units=3, rank=1, memory=4, size=6, state_zp=5),
            "int8-state": dict(units=3, rank=2, memory=4, size=6, state_dtype="int8")}
QEMU_CASES = ["u1-r1-m1-s1", "u5-r1-m5-s17-b3", "u2-r3-m6-s6-b2", "u6-r2-m8-s33-zp127-full-weights", "u64-r2-m16-s40"]
ALL = {**CASES, **FALLBACK}


@pytest.fixture(scope="module")
def cmsis():
    return require_cmsis_nn()


def _case(name: str) -> bytes:
    return svdf_layer(40 + sorted(ALL).index(name), **ALL[name])


def _steps(name: str) -> int:
    return 2 * ALL[name]["memory"] + 2


@pytest.mark.parametrize("case", sorted(ALL))
def test_svdf_host_equals_tflm_over_invocations(case, cmsis, tmp_path):
    data = _case(case)
    g, report = write(data, tmp_path)
    assert ("svdf" in report["cmsis_nn_ops"]) == (case in CASES)
    if case in CASES:       # buffer_a (filters) and buffer_b (units) per batch, int32
        batch, _ = g.tensors[g.nodes[0].inputs[0]].shape
        filters = g.tensors[g.nodes[0].inputs[1]].shape[0]
        assert report["scratch_bytes"] == 4 * batch * (filters + filters // ALL[case]["rank"])
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(_steps(case))]
    assert_outputs_equal_tflm(data, samples, host_outputs(g, tmp_path, cmsis, samples))


def test_svdf_kws_stack_host_equals_tflm(cmsis, tmp_path):
    data = svdf_kws()
    g, report = write(data, tmp_path)
    assert report["cmsis_nn_ops"] == ["svdf"]
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(20)]
    assert_outputs_equal_tflm(data, samples, host_outputs(g, tmp_path, cmsis, samples))


@QEMU
@pytest.mark.parametrize("case", QEMU_CASES)
def test_svdf_qemu_cortex_m4_equals_tflm(case, cmsis, tmp_path):
    data = _case(case)
    g, report = write(data, tmp_path)
    assert "svdf" in report["cmsis_nn_ops"]
    assert_qemu_m4_equals_tflm(data, g, tmp_path, _steps(case), cmsis_nn=cmsis)


@QEMU
def test_svdf_kws_stack_qemu_cortex_m4_equals_tflm(cmsis, tmp_path):
    data = svdf_kws()
    g, _ = write(data, tmp_path)
    assert_qemu_m4_equals_tflm(data, g, tmp_path, 20, cmsis_nn=cmsis)


def test_twin_writes_tflm_offsets(tmp_path):
    """input_offset is the input zero point itself (CMSIS-NN negates it), output_offset the output's."""
    data = _case("u7-r1-m9-s40-zp-128")
    write(data, tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert "cmsis_nn_svdf_params sp = { 1, -128, " in src and "{ -32768, 32767 }, { -128, 127 } }" in src

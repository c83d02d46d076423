"""The int8 softmax's exp in C (backends/c/kernels/reference/softmax.h tinycc_softmax_exp, which replaced
a table of up to 256 int32 words a layer): for every input left shift TFLM's PreprocessSoftmaxScaling can
give (1 .. 31), multipliers at both ends of [2^30, 2^31) and in between, and every int8 difference the
kernel evaluates (diff_min .. 0, at most 255 deep), built with ASan + UBSan, it equals gemmlowp's
exp_on_negative_values of MultiplyByQuantizedMultiplierGreaterThanOne as tinycc.core.fixedpoint computes
it (the values the op tests check against TF Lite Micro)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import SANITIZE, SANITIZER_ENV
from tinycc.core import fixedpoint as fp

KERNELS = Path(__file__).resolve().parents[2] / "backends" / "c" / "kernels"
MULTIPLIERS = (1 << 30, 1518500250, 1992003827, (1 << 31) - 1)

PROGRAM = r"""
#include <stdint.h>
#include <stdio.h>
#include "common/tinycc_fixedpoint.h"
#include "common/sat_shl.h"
#include "reference/softmax.h"
int main(void) {
    long multiplier;
    int shift, diff_min, d;
    while (scanf("%ld %d %d", &multiplier, &shift, &diff_min) == 3)
        for (d = 0; d >= diff_min; --d) printf("%ld\n", (long)tinycc_softmax_exp(d, (int32_t)multiplier, shift));
    return 0;
}
"""


def test_c_exp_equals_the_reference_for_every_shift_multiplier_and_difference(tmp_path):
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no host C compiler (gcc or cc)")
    (tmp_path / "exp.c").write_text(PROGRAM)
    exe = tmp_path / "exp"
    subprocess.run([cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", *SANITIZE, f"-I{KERNELS}",
                    str(tmp_path / "exp.c"), "-o", str(exe)], check=True)
    cases, want = [], []
    for shift in range(1, 32):
        diff_min = max(-255, -fp.calculate_input_radius(5, shift))
        for mult in MULTIPLIERS:
            cases.append(f"{mult} {shift} {diff_min}")
            diffs = np.arange(0, diff_min - 1, -1, dtype=np.int64)
            scaled = fp.multiply_by_quantized_multiplier_greater_than_one(diffs, mult, shift)
            want.extend(int(v) for v in fp.exp_on_negative_values(scaled, 5))
    proc = subprocess.run([str(exe)], input="\n".join(cases) + "\n", capture_output=True, text=True,
                          env=SANITIZER_ENV, timeout=120)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr[-3000:]
    got = [int(v) for v in proc.stdout.split()]
    assert len(want) > 20000 and got == want
    assert want[0] == (1 << 31) - 1 and min(want) < 1 << 16       # exp(0) and values deep in the barrel


@pytest.mark.parametrize(("classes", "out_dtype", "kernel"), [
    (511, "int8", "tinycc_softmax_s8_short("), (512, "int8", "tinycc_softmax_s8("),
    (4095, "int16", "tinycc_softmax_s8_s16_short("), (4096, "int16", "tinycc_softmax_s8_s16("),
])
def test_int32_kernel_only_for_rows_whose_sum_stays_in_tflm_range(classes, out_dtype, kernel, tmp_path):
    """The int32 ("short") kernel, TFLM's own arithmetic, takes rows whose Q12.19 sum of exponentials
    (at most 2^19 each) stays below 2^28 for int8 outputs (the divide exponent <= 31) or 2^31 for int16;
    longer rows the int64 kernel (their outputs: tests/ops/test_softmax_long_rows.py, the boundaries 511 and
    4095 against TF Lite Micro)."""
    from tests.fast_paths import invoke_source
    from tests.tflite_builder import act, q, single_op
    y = act("y", (), out_dtype, q(1 / 256, -128) if out_dtype == "int8" else q(1 / 65536, -32768))
    src = invoke_source(single_op("softmax", [act("x", (1, classes), "int8", q(0.1, 3))], y, {"beta": 1.0}), tmp_path)
    assert kernel in src

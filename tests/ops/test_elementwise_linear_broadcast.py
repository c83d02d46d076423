"""Binary elementwise kernels whose inputs are each one element or as many as the output (a scalar
operand on either side, or the same elements under another rank): the broadcast description's
`linear` walk (kernels/reference/elementwise.h: element i of the output reads a_step * i and
b_step * i, no per-dimension division) gives TF Lite Micro's bytes on the host (sanitized) and
under QEMU Cortex-M4, for ADD/SUB/MUL (int8, int16, int32, float32) and the TINYCC_BINARY_FN family
(MAXIMUM, LESS, FLOOR_DIV, SQUARED_DIFFERENCE); a true broadcast keeps the general walk."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm, assert_qemu_m4_equals_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.plugins.importers.tflite import load_tflite

# name: (a shape, b shape, b constant)
SHAPES = {"scalar-rhs": ((2, 3, 5), (1,), False), "scalar-lhs": ((1, 1, 1), (7, 4), False),
          "const-scalar": ((3, 8), (), True), "same-elements-other-rank": ((1, 12), (12,), False)}
# (op, dtype, activation)
OPS = [("add", "int8", "relu"), ("sub", "int16", "none"), ("mul", "int8", "none"), ("add", "int32", "none"),
       ("mul", "int32", "relu6"), ("sub", "float32", "none"), ("maximum", "int8", None), ("less", "int8", None),
       ("floor_div", "float32", None), ("squared_difference", "int32", None)]
QUANT = {"int8": q(0.05, 3), "int16": q(0.002, 0), "int32": None, "float32": None}


def _model(op, dtype, activation, shapes) -> bytes:
    sa, sb, constant = shapes
    rng = np.random.default_rng(len(op) + len(sa))
    quant = QUANT[dtype]
    if constant:
        values = np.asarray(rng.integers(1, 9, sb)).astype(dtype)
        b = const("b", values, quant)
    else:
        b = act("b", sb, dtype, quant)
    out_dtype = "bool" if op == "less" else dtype
    out_quant = None if op == "less" else (q(0.1, -2) if dtype == "int8" and op != "maximum" else quant)
    if op == "mul" and dtype == "int8":
        out_quant = q(0.01, 1)
    attrs = {"activation": activation} if activation is not None else {}
    return single_op(op, [act("a", sa, dtype, quant), b], act("y", (), out_dtype, out_quant), attrs)


def _bcast_line(data: bytes, tmp_path) -> str:
    from tests.c_build import write_sources
    write_sources(load_tflite(Path("t.tflite"), data), tmp_path)
    text = (tmp_path / "model.c").read_text()
    lines = [line for line in text.splitlines() if line.startswith("static const tinycc_bcast ")]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("shapes", sorted(SHAPES))
@pytest.mark.parametrize("case", OPS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_linear_walk_equals_tflm(case, shapes, tmp_path):
    data = _model(*case, SHAPES[shapes])
    assert re.search(r", 1, [01], [01]\};$", _bcast_line(data, tmp_path))       # linear = 1
    assert_matches_tflm(data, samples=2, seed=4, c=True, sanitize=True)


def test_a_true_broadcast_keeps_the_general_walk(tmp_path):
    data = _model("add", "int8", "none", ((2, 1, 5), (3, 1), False))
    assert _bcast_line(data, tmp_path).endswith(", 0, 0, 0};")
    assert_matches_tflm(data, samples=2, seed=4, c=True)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("case,shapes", [(OPS[0], "scalar-rhs"), (OPS[4], "scalar-lhs"),
                                         (OPS[8], "const-scalar"), (OPS[2], "same-elements-other-rank")],
                         ids=["add-int8", "mul-int32", "floor_div-float32", "mul-int8"])
def test_qemu_cortex_m4_linear_walk_equals_tflm(case, shapes, tmp_path):
    data = _model(*case, SHAPES[shapes])
    g = load_tflite(Path("t.tflite"), data)
    assert re.search(r", 1, [01], [01]\};$", _bcast_line(data, tmp_path))
    assert_qemu_m4_equals_tflm(data, g, tmp_path, 3)

"""Kernels that share helper units (kernels/common/: sat_shl.h, inv_sqrt.h, sigmoid_s16.h) in one model:
each helper is defined once, so a model using every kernel that needs them compiles (-Werror -pedantic)
and equals TF Lite Micro on every output."""
from __future__ import annotations

import re

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q
from tinycc.backends.c import kernel_units
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

DEFINITION = re.compile(r"^static inline [^(;]*?\b(tinycc_\w+)\(", re.M)


def _model() -> bytes:
    """int8: L2_NORMALIZATION -> SOFTMAX and LOG_SOFTMAX; int16: ABS -> RSQRT -> LOGISTIC and TANH."""
    t = [act("x8", (2, 16), "int8", q(0.05, 3)), act("n8", (2, 16), "int8", q(1 / 128, 0)),
         act("sm", (2, 16), "int8", q(1 / 256, -128)), act("lsm", (2, 16), "int8", q(16 / 256, 127)),
         act("x16", (2, 16), "int16", q(0.01, 0)), act("a16", (2, 16), "int16", q(0.01, 0)),
         act("r16", (2, 16), "int16", q(20 / 32767, 0)), act("sig", (2, 16), "int16", q(2.0 ** -15, 0)),
         act("th", (2, 16), "int16", q(2.0 ** -15, 0))]
    nodes = [Node("l2", "l2_normalization", ["x8"], ["n8"], {}),
             Node("softmax", "softmax", ["n8"], ["sm"], {"beta": 1.0}),
             Node("log_softmax", "log_softmax", ["n8"], ["lsm"], {}),
             Node("abs", "abs", ["x16"], ["a16"], {}),
             Node("rsqrt", "rsqrt", ["a16"], ["r16"], {}),
             Node("logistic", "logistic", ["r16"], ["sig"], {}),
             Node("tanh", "tanh", ["r16"], ["th"], {})]
    g = Graph("shared_units", {x.name: x for x in t}, nodes, ["x8", "x16"], ["sm", "lsm", "sig", "th"],
              source="<shared units test>")
    return write_tflite(validate(g))


def test_kernels_sharing_helper_units_compile_together_and_equal_tflm():
    g = assert_matches_tflm(_model(), samples=3, seed=5, c=True)
    assert [n.op for n in g.nodes] == ["l2_normalization", "softmax", "log_softmax", "abs", "rsqrt",
                                       "logistic", "tanh"]


def test_no_function_is_defined_in_two_kernel_files():
    """Any two units may meet in one model: a helper two kernels need lives in one common/ file."""
    defined: dict[str, list[str]] = {}
    for path, text in kernel_units.instances():          # a generic file once per type it is made for
        names = set(DEFINITION.findall(text))     # #ifdef twins count once
        for name in names:
            defined.setdefault(name, []).append(path)
    # a Helium twin (optimised/mve_*.h, under __ARM_FEATURE_MVE) replaces the same-named function of the one
    # file that includes it: the two are never compiled together
    twins = {n for n, f in defined.items() if len(f) == 2 and sum(p.startswith("optimised/mve_") for p in f) == 1}
    assert {n: f for n, f in defined.items() if len(f) > 1 and n not in twins} == {}
    for helper, file in (("tinycc_sat_shl", "common/sat_shl.h"), ("tinycc_inv_sqrt_exp", "common/inv_sqrt.h"),
                         ("tinycc_sigmoid_s16", "common/sigmoid_s16.h")):
        assert defined[helper] == [file]

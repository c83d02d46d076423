"""Apache TVM 0.27 kernels lowered to plain C99 (backends/microtvm/lower.py).

A Relax conv2d + bias + relu, fused by TVM, comes out as one `void f(float*, ...)` that builds
with -std=c99 -pedantic -Wall -Wextra -Werror, needs no TVM runtime, keeps no full-size
intermediate on the stack, and computes what tinycc's reference conv_2d computes (float32,
within 1e-5).
"""
from __future__ import annotations

import ctypes
import subprocess

import numpy as np
import pytest

tvm = pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")

from tinycc.backends.microtvm.lower import lower_to_c  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.graph import Graph, Node, Tensor  # noqa: E402
from tinycc.core.validate import validate  # noqa: E402


def fused_conv(w, b):
    from tvm import relax
    bb = relax.BlockBuilder()
    x = relax.Var("x", relax.TensorType((1, 8, 8, 2), "float32"))
    with bb.function("main", [x]):
        with bb.dataflow():
            y = bb.emit(relax.op.nn.conv2d(x, relax.const(w), padding=(1, 1), data_layout="NHWC", kernel_layout="OHWI"))
            y = bb.emit(relax.op.nn.relu(relax.op.add(y, relax.const(b))))
            out = bb.emit_output(y)
        bb.emit_func_output(out)
    seq = tvm.transform.Sequential([relax.transform.LegalizeOps(), relax.transform.AnnotateTIROpPattern(),
                                    relax.transform.FoldConstant(), relax.transform.FuseOps(),
                                    relax.transform.FuseTIR()])
    mod = seq(bb.get())
    (name,) = [gv.name_hint for gv in mod.functions if gv.name_hint != "main"]
    return mod[name]


def test_fused_conv_lowers_to_plain_c_that_computes_the_reference(tmp_path):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)
    b = rng.normal(size=(4,)).astype(np.float32)
    source = lower_to_c(fused_conv(w, b), "tvmgen_test_conv")
    assert "tvm/" not in source and "TVMBackend" not in source and "TVMFFI" not in source
    assert "void tvmgen_test_conv(float* x_ptr" in source
    assert not any(int(n) > 16 for n in __import__("re").findall(r"float \w+\[(\d+)\]", source)), "stack intermediates"
    c = tmp_path / "k.c"
    c.write_text(source)
    lib = tmp_path / "k.so"
    subprocess.run(["gcc", "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-fPIC",
                    str(c), "-o", str(lib)], check=True, capture_output=True)
    fn = ctypes.CDLL(str(lib)).tvmgen_test_conv
    x = rng.normal(size=(1, 8, 8, 2)).astype(np.float32)
    y = np.zeros((1, 8, 8, 4), np.float32)
    ptr = ctypes.POINTER(ctypes.c_float)
    fn(*(a.ctypes.data_as(ptr) for a in (x, w, b, y)))
    t = {"x": Tensor("x", (1, 8, 8, 2), "float32"), "w": Tensor("w", w.shape, "float32", data=w),
         "b": Tensor("b", b.shape, "float32", data=b), "y": Tensor("y", (), "float32")}
    g = validate(Graph("g", t, [Node("conv", "conv_2d", ["x", "w", "b"], ["y"],
                                     {"pads": (1, 1, 1, 1), "activation": "relu"})], ["x"], ["y"]))
    np.testing.assert_allclose(y, interpreter.run(g, [x])[0], rtol=1e-5, atol=1e-5)
